"""Limits of an ONNX import, checked before each expensive step (parse, check, fold, run), and
the cheap structural checks on the parsed protobuf: external data, subgraphs, declared sizes.

Every refusal is an ApiError naming the setting (`limit`) in app/errors_catalogue.json.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from onnx import AttributeProto, ModelProto, TensorProto

from app.errors import ApiError

NCHW_RANK = 4


@dataclass(frozen=True)
class OnnxLimits:
    """max_bytes: the file; max_params: float values in all initializers (from their declared
    dims); max_nodes: graph nodes; max_layers: engine steps; max_input_values: C·H·W;
    max_macs: multiply-adds of one forward pass (one image); tolerance: allowed difference
    from the ONNX reference, relative to 1 + max |reference|."""

    max_bytes: int = 20_000_000
    max_params: int = 10_000_000
    max_nodes: int = 512
    max_layers: int = 128
    max_input_values: int = 3 * 512 * 512
    max_macs: int = 100_000_000
    tolerance: float = 1e-4

    @classmethod
    def from_settings(cls, s: Any) -> OnnxLimits:
        return cls(s.onnx_max_bytes, s.onnx_max_params, s.onnx_max_nodes, s.onnx_max_layers,
                   s.onnx_max_input_values, s.onnx_max_macs, s.onnx_tolerance)


def check_size(n: int, limits: OnnxLimits) -> None:
    if n > limits.max_bytes:
        raise ApiError("onnx_file_too_large", field="file", limit=limits.max_bytes, size=n)


def _declared(t: TensorProto) -> int:
    n = 1
    for d in t.dims:
        if d < 0:
            raise ApiError("onnx_invalid", variant="detail", field="file",
                           detail=f"initializer '{t.name}' has a negative dimension")
        n *= int(d)
    return n


def check_structure(model: ModelProto, limits: OnnxLimits) -> None:
    """Before onnx.checker and any array: external data, subgraphs, functions, node count,
    declared initializer sizes (and that their bytes match), input size."""
    g = model.graph
    external = [t.name for t in g.initializer if t.data_location == TensorProto.EXTERNAL]
    external += [n.name for n in g.node for a in n.attribute
                 if a.type == AttributeProto.TENSOR and a.t.data_location == TensorProto.EXTERNAL]
    if external:
        raise ApiError("onnx_external_data", field="file", names=", ".join(external[:5]))
    nested = [f"{n.op_type} (node '{n.name}')" for n in g.node for a in n.attribute
              if a.type in (AttributeProto.GRAPH, AttributeProto.GRAPHS)]
    if nested or len(model.functions):
        what = nested or [f"function '{f.name}'" for f in model.functions]
        raise ApiError("onnx_unsupported", field="file",
                       details="; ".join(f"{w}: subgraphs and functions (control flow) are not "
                                         "supported" for w in what[:10]))
    if len(g.node) > limits.max_nodes:
        raise ApiError("onnx_too_many_nodes", field="file", limit=limits.max_nodes,
                       count=len(g.node))
    total = 0
    for t in g.initializer:
        n = _declared(t)
        total += n
        if total > limits.max_params:
            raise ApiError("onnx_too_many_params", field="file", limit=limits.max_params,
                           count=f"≥ {total}")
        stored = len(t.raw_data) if t.raw_data else max(
            len(t.float_data), len(t.int64_data), len(t.int32_data), len(t.double_data))
        if t.raw_data:
            stored //= max(1, np.dtype(_np_dtype(t.data_type)).itemsize)
        if stored != n:
            raise ApiError("onnx_invalid", variant="detail", field="file",
                           detail=f"initializer '{t.name}' declares {n} values but holds "
                                  f"{stored}")


def _np_dtype(code: int) -> Any:
    from onnx import helper
    try:
        return helper.tensor_dtype_to_np_dtype(code)
    except (KeyError, ValueError):
        return np.uint8


def input_shape(model: ModelProto, limits: OnnxLimits) -> tuple[str, tuple[int, int, int]]:
    """The one real input (name, per-image (d1, d2, d3)): float, rank 4, fixed sizes within
    max_input_values."""
    inits = {t.name for t in model.graph.initializer}
    real = [i for i in model.graph.input if i.name not in inits]
    if len(real) != 1:
        raise ApiError("onnx_input", field="file", detail=f"{len(real)} inputs, not one")
    t = real[0].type.tensor_type
    dims = [d.dim_value if d.HasField("dim_value") else -1 for d in t.shape.dim]
    if t.elem_type != TensorProto.FLOAT or len(dims) != NCHW_RANK or min(dims[1:]) < 1:
        raise ApiError("onnx_input", field="file",
                       detail=f"'{real[0].name}' is {dims} of type {t.elem_type}; a float32 "
                              "(N, C, H, W) or (N, H, W, C) input with fixed C, H, W is needed")
    size = dims[1] * dims[2] * dims[3]
    if size > limits.max_input_values:
        raise ApiError("onnx_input_too_large", field="file", limit=limits.max_input_values,
                       shape=str(dims[1:]), size=size)
    return real[0].name, (dims[1], dims[2], dims[3])


def check_budget(layers: int, macs: int, params: int, limits: OnnxLimits) -> None:
    if layers > limits.max_layers:
        raise ApiError("onnx_too_many_layers", field="file", limit=limits.max_layers,
                       count=layers)
    if params > limits.max_params:
        raise ApiError("onnx_too_many_params", field="file", limit=limits.max_params,
                       count=params)
    if macs > limits.max_macs:
        raise ApiError("onnx_compute_budget", field="file", limit=limits.max_macs, macs=macs)
