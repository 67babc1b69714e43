"""A layer stack the user composes for a training run (TrainingRequest.model = {"layers": [...]}):
named engine specs (conv1, relu1, pool1, affine1, …) plus the final affine to the class count and
the softmax, and the checks before the run: shapes (a map shrinking below 1×1 → 422 stack_shape
naming the layer index and the shape), parameter count and per-step compute (422 training_limit).
"""

from __future__ import annotations

import gzip
import struct
from typing import Any

from app.engine.architectures import NetworkError
from app.errors import ApiError

SYNTHETIC_SHAPE = (3, 32, 32)
CHECK_CLASSES = 10  # the class count assumed by the checks (the run uses the dataset's own)


def specs(layers: list[dict[str, Any]], classes: int) -> list[dict[str, Any]]:
    """Engine layer specs of a user stack: each layer named by its type and rank, then
    affine (classes units) and softmax."""
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for layer in layers:
        kind = layer["type"]
        seen[kind] = seen.get(kind, 0) + 1
        spec = {k: v for k, v in layer.items() if v is not None}
        if kind == "pool" and "stride" not in spec:
            spec["stride"] = spec["size"]
        out.append({**spec, "name": f"{kind}{seen[kind]}"})
    n = seen.get("affine", 0) + 1
    return [*out, {"name": f"affine{n}", "type": "affine", "units": classes},
            {"name": "softmax", "type": "softmax"}]


def input_shape(dataset: str, data_dir: Any, prefix: str | None = None) -> tuple[int, int, int]:
    """(C, H, W) of a dataset without loading it: the synthetic set, or the IDX header of the
    pair `prefix` (default: the dataset's name) in data_dir."""
    if dataset == "synthetic":
        return SYNTHETIC_SHAPE
    from app.engine.data import find_idx_pair

    images = find_idx_pair(data_dir, prefix or dataset)[0]
    opener = gzip.open if images.name.endswith(".gz") else open
    with opener(images, "rb") as f:
        head = f.read(16)
    if len(head) < 16:
        return (1, 28, 28)  # unreadable: the run itself reports it as failed
    _, _, rows, cols = struct.unpack(">iiii", head)
    return (1, rows, cols)


def _out(spec: dict[str, Any], shape: tuple[int, ...]) -> tuple[int, ...]:
    kind = spec["type"]
    if kind in ("conv", "pool"):
        c, h, w = shape
        size, pad = int(spec["size"]), int(spec.get("pad", 0) or 0)
        default = size if kind == "pool" else 1
        stride = int(spec.get("stride") or default)
        oh, ow = (h + 2 * pad - size) // stride + 1, (w + 2 * pad - size) // stride + 1
        if h + 2 * pad < size or w + 2 * pad < size or oh < 1 or ow < 1:
            raise NetworkError(f"{oh}×{ow}")
        return (int(spec["filters"]) if kind == "conv" else c, oh, ow)
    if kind == "affine":
        return (int(spec["units"]),)
    return shape


def check(layers: list[dict[str, Any]], shape: tuple[int, ...], batch_size: int,
          settings: Any) -> list[dict[str, Any]]:
    """Shapes per layer (C, H, W) or (M,), the final affine last; 422 stack_shape (index and
    shape) or training_limit (layers, parameters, multiply-adds per step = per image × batch)."""
    if len(layers) > settings.training_max_layers:
        raise ApiError("training_limit", field="model.layers", limit=settings.training_max_layers,
                       value=len(layers), setting="CONVSCOPE_TRAINING_MAX_LAYERS")
    params = macs = 0
    rows = []
    for i, spec in enumerate([*layers, {"type": "affine", "units": CHECK_CLASSES}]):
        kind = spec["type"]
        if kind in ("conv", "pool") and len(shape) != 3:
            raise ApiError("stack_shape", variant="after_affine", field=f"model.layers[{i}]",
                           index=i, kind=kind)
        try:
            out = _out(spec, shape)
        except NetworkError as e:
            raise ApiError("stack_shape", field=f"model.layers[{i}]", index=i, kind=kind,
                           shape="×".join(map(str, shape)), out=str(e)) from None
        if kind == "conv":
            k = int(spec["size"]) ** 2 * shape[0]
            params += k * out[0] + out[0]
            macs += k * out[0] * out[1] * out[2]
        elif kind == "affine":
            n_in = 1
            for v in shape:
                n_in *= v
            params += n_in * out[0] + out[0]
            macs += n_in * out[0]
        rows.append({"index": i, "type": kind, "shape": list(out)})
        shape = out
    for field, value, limit, setting in (
            ("model.params", params, settings.training_max_params,
             "CONVSCOPE_TRAINING_MAX_PARAMS"),
            ("model.macs", macs * batch_size, settings.training_max_macs,
             "CONVSCOPE_TRAINING_MAX_MACS")):
        if value > limit:
            raise ApiError("training_limit", field=field, limit=limit, value=value,
                           setting=setting)
    if not any(s["type"] == "conv" for s in layers):
        raise ApiError("stack_shape", variant="no_conv", field="model.layers", index=0)
    return rows
