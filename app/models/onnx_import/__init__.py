"""Import an ONNX CNN onto the NumPy engine: `import_onnx(data, limits)`.

Order (each limit before the step it protects): file size → protobuf parse → structure
(external data, subgraphs, node count, declared initializer sizes, input size) → onnx.checker
and strict shape inference → the chain of engine steps (ops.py, graph.py) → layer count,
parameters, compute budget → the proof against onnx.reference (verify.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import onnx
from google.protobuf.message import DecodeError
from onnx import numpy_helper

from app.errors import ApiError

from .limits import OnnxLimits, check_budget, check_size, check_structure, input_shape
from .model import ImportedModel, Step
from .verify import Match, verify

__all__ = ["ImportedModel", "Imported", "OnnxLimits", "Step", "import_onnx", "parse"]

SHORT = {"batchnorm": "bn", "global_pool": "gap", "leaky_relu": "lrelu", "log_softmax":
         "logsoftmax"}


@dataclass(frozen=True)
class Imported:
    model: ImportedModel
    match: Match | None


def parse(data: bytes, limits: OnnxLimits) -> onnx.ModelProto:
    """Bytes → checked ModelProto (400 onnx_invalid when it is not one)."""
    check_size(len(data), limits)
    try:
        proto = onnx.ModelProto.FromString(data)
    except (DecodeError, RuntimeError, ValueError) as e:
        raise ApiError("onnx_invalid", variant="detail", field="file",
                       detail=str(e)[:200] or type(e).__name__) from None
    if not proto.HasField("graph") or not proto.graph.node:
        raise ApiError("onnx_invalid", variant="detail", field="file",
                       detail="no graph with nodes")
    check_structure(proto, limits)
    input_shape(proto, limits)  # before the checker: huge declared inputs are refused here
    try:
        onnx.checker.check_model(proto)
        onnx.shape_inference.infer_shapes(proto, check_type=True, strict_mode=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError,
            RuntimeError, ValueError) as e:
        raise ApiError("onnx_invalid", variant="checker", field="file",
                       detail=str(e).strip().splitlines()[0][:300]) from None
    checked: onnx.ModelProto = proto
    return checked


def build(proto: onnx.ModelProto, limits: OnnxLimits, name: str = "") -> ImportedModel:
    """The chain of engine steps (422 onnx_unsupported naming each node that does not fit)."""
    from .graph import build_chain

    in_name, shape = input_shape(proto, limits)
    inits = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
    steps, layout, problems = build_chain(proto.graph, inits, in_name, shape, _opset(proto))
    if problems:
        raise ApiError("onnx_unsupported", field="file", details="; ".join(problems[:20]))
    if not steps:
        raise ApiError("onnx_unsupported", field="file", details="the graph has no layers")
    counts: Counter[str] = Counter()
    for s in steps:
        counts[s.kind] += 1
        s.name = f"{SHORT.get(s.kind, s.kind)}{counts[s.kind]}"
    in3 = (shape[2], shape[0], shape[1]) if layout == "NHWC" else shape
    meta = {p.key: p.value for p in proto.metadata_props}
    model = ImportedModel(name or proto.graph.name or "imported", in_name, in3, layout, steps,
                          meta={"producer": f"{proto.producer_name} {proto.producer_version}"
                                .strip(), "opset": _opset(proto), "metadata": meta})
    check_budget(len(steps), model.macs(), model.param_count(), limits)
    return model


def _opset(proto: onnx.ModelProto) -> int:
    return max((o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")), default=0)


def import_onnx(data: bytes, limits: OnnxLimits | None = None, *, name: str = "",
                check: bool = True) -> Imported:
    """Parse, map and (check=True) prove an ONNX file; ApiError on every refusal."""
    limits = limits or OnnxLimits()
    proto = parse(data, limits)
    model = build(proto, limits, name)
    match = verify(proto, model, limits.tolerance) if check else None
    return Imported(model, match)


def labels_from(model: ImportedModel, text: str | None) -> list[str]:
    """Class labels: an uploaded labels text (one per line), the model's metadata
    ("labels": comma- or newline-separated, or JSON list), else 0..M−1."""
    import json

    n = model.classes
    raw = text if text is not None else str(model.meta.get("metadata", {}).get("labels", ""))
    found: list[str] = []
    if raw.strip().startswith("["):
        try:
            found = [str(v) for v in json.loads(raw)]
        except ValueError:
            found = []
    elif raw.strip():
        found = [s.strip() for s in (raw.splitlines() if "\n" in raw.strip() else raw.split(","))
                 if s.strip()]
    return found if len(found) == n else [str(i) for i in range(n)]

