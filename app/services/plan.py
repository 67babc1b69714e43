"""Plan a stack of conv / relu / pool layers from shapes alone, then run it.

`plan_layers` resolves every kernel, computes every geometry and the total cost (`Cost`), and
refuses (422) what does not fit the settings (layers, kernel limits, the compute budget
max_macs / max_output_values) — before any array work. `run_plan` then calls the engine.
Shapes: x (N, C, H, W) → conv (N, FN, OH, OW) → relu (same) → pool (N, FN, PH, PW).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app import cancel
from app.config import Settings
from app.engine import (
    Geometry,
    GeometryError,
    avg_pool2d,
    conv2d,
    conv_geometry,
    depthwise_conv2d,
    max_pool2d,
    relu,
)
from app.errors import ApiError
from app.schemas import ConvLayer, KernelUsed, PoolLayer, ReluLayer
from app.schemas.responses import StageName
from app.services.kernels import resolve_bias, resolve_kernel

Shape = tuple[int, int, int, int]


@dataclass(frozen=True)
class Cost:
    """What a request will compute, from the geometry alone."""

    macs: int = 0  # multiply-adds: N·FN·OH·OW·C·FH·FW per conv
    outputs: int = 0  # values produced by every stage

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.macs + other.macs, self.outputs + other.outputs)


def check_budget(cost: Cost, settings: Settings) -> None:
    """422 `budget_exceeded` naming the budget (max_macs or max_output_values)."""
    for name, value, limit, variant in (
        ("max_macs", cost.macs, settings.max_macs, None),
        ("max_output_values", cost.outputs, settings.max_output_values, "max_output_values"),
    ):
        if value > limit:
            raise ApiError("budget_exceeded", variant=variant, field=name, limit=limit,
                           value=value)


@dataclass(frozen=True)
class Step:
    """One planned layer: its engine call, output shape, geometry and (for conv) kernel/bias."""

    name: StageName  # conv | relu | pool
    label: str  # conv1, relu1, pool1, …
    run: Callable[[np.ndarray], np.ndarray]
    out_shape: Shape
    geometry: Geometry | None = None
    kernel: KernelUsed | None = None
    bias: np.ndarray | None = None


def _pair(v: int | Sequence[int]) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def geometry_or_422(H: int, W: int, FH: int, FW: int, *, stride: Any, pad: Any, dilation: Any,
                    field: str) -> Geometry:
    """conv_geometry, or 422 `kernel_larger_than_input` stating the geometry."""
    try:
        return conv_geometry(H, W, FH, FW, stride=stride, pad=pad, dilation=dilation)
    except GeometryError:
        (ph, pw), (sh, sw), (dh, dw) = _pair(pad), _pair(stride), _pair(dilation)
        facts = f"H={H}, W={W}, P=({ph},{pw}), S=({sh},{sw}), dilation=({dh},{dw})"
        raise ApiError("kernel_larger_than_input", field=field,
                       limit=f"{H + 2 * ph}x{W + 2 * pw}", fh=FH, fw=FW, padded_h=H + 2 * ph,
                       padded_w=W + 2 * pw, facts=facts) from None


def _conv_step(layer: ConvLayer, shape: Shape, index: int, prefix: str, settings: Settings,
               models: Any) -> tuple[Step, Cost]:
    N, C, H, W = shape
    rk = resolve_kernel(layer.kernel, channels=C, depthwise=layer.depthwise, settings=settings,
                        models=models, field=f"{prefix}kernel")
    FH, FW = rk.side
    g = geometry_or_422(H, W, FH, FW, stride=layer.stride, pad=layer.pad, dilation=layer.dilation,
                        field=f"{prefix}kernel")
    ph, pw = g.pad
    if layer.pad_mode == "reflect" and (ph >= H or pw >= W):
        raise ApiError("pad_too_large", field=f"{prefix}pad", limit=min(H, W) - 1, h=H, w=W)
    FN = C if rk.depthwise else rk.fn
    bias = resolve_bias(layer.bias, FN, field=f"{prefix}bias")
    mode = layer.pad_mode
    positions = N * g.out_h * g.out_w
    conv = depthwise_conv2d if rk.depthwise else conv2d  # depthwise: (FH, FW) on every channel
    weights = rk.weights

    def run(x: np.ndarray) -> np.ndarray:
        return conv(x, weights, bias, stride=g.stride, pad=g.pad, pad_mode=mode,
                    dilation=g.dilation)
    cost = Cost(macs=positions * FN * (1 if rk.depthwise else C) * FH * FW,
                outputs=positions * FN)
    raw = rk.raw
    used = KernelUsed(source=rk.source, values=raw.tolist(), FN=FN, C=C, FH=FH, FW=FW,
                      depthwise=rk.depthwise)
    step = Step("conv", f"conv{index}", run, (N, FN, g.out_h, g.out_w), g, used, bias)
    return step, cost


def _pool_step(layer: PoolLayer, shape: Shape, index: int, prefix: str) -> tuple[Step, Cost]:
    N, C, H, W = shape
    size = _pair(layer.size)
    stride = size if layer.stride is None else _pair(layer.stride)
    g = geometry_or_422(H, W, *size, stride=stride, pad=0, dilation=1, field=f"{prefix}size")
    fn = max_pool2d if layer.mode == "max" else avg_pool2d

    def run(x: np.ndarray) -> np.ndarray:
        return fn(x, size, stride)
    out = (N, C, g.out_h, g.out_w)
    n_out = N * C * g.out_h * g.out_w
    cost = Cost(outputs=n_out)
    return Step("pool", f"pool{index}", run, out, g), cost


def plan_layers(layers: Sequence[ConvLayer | ReluLayer | PoolLayer], shape: Shape,
                settings: Settings, models: Any = None, prefix: str = "spec.layers"
                ) -> list[Step]:
    """Every step planned and the whole cost checked against the budgets (422 before running)."""
    if len(layers) > settings.max_pipeline_layers:
        n = settings.max_pipeline_layers
        raise ApiError("too_many_items", variant="layers", field=prefix, limit=n,
                       count=len(layers))
    steps: list[Step] = []
    cost = Cost(outputs=int(np.prod(shape)))
    counts = {"conv": 0, "relu": 0, "pool": 0}
    for i, layer in enumerate(layers):
        p = f"{prefix}.{i}." if prefix.endswith("layers") else f"{prefix}."
        counts[layer.type] += 1
        if isinstance(layer, ConvLayer):
            step, c = _conv_step(layer, shape, counts["conv"], p, settings, models)
        elif isinstance(layer, PoolLayer):
            p = p if prefix.endswith("layers") else f"{prefix}.pool."
            step, c = _pool_step(layer, shape, counts["pool"], p)
        else:
            step = Step("relu", f"relu{counts['relu']}", relu, shape)
            c = Cost(outputs=int(np.prod(shape)))
        steps.append(step)
        cost = cost + c
        shape = step.out_shape
    check_budget(cost, settings)
    return steps


def run_plan(x: np.ndarray, steps: Sequence[Step]) -> list[np.ndarray]:
    """Every step's output, in order; 422 `non_finite` if float32 overflowed."""
    outs: list[np.ndarray] = []
    for step in steps:
        cancel.check()  # a timed-out request stops between layers
        x = np.ascontiguousarray(step.run(x), dtype=np.float32)
        if not np.isfinite(x).all():
            raise ApiError("non_finite", field="spec", label=step.label)
        outs.append(x)
    return outs
