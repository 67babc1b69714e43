"""Resolve the `kernel` of a spec into weights the engine takes.

Accepted forms: a catalogue id; {"id": ..., <parameters>}; a 2-D list (FH, FW); a 3-D list
(C, FH, FW) as one filter; a 4-D list (FN, C, FH, FW) as a bank; {"model", "layer", "index"} for
one learned filter, {"model", "layer"} for the whole layer as a bank.

A 2-D kernel on C channels is the book's 3-D filter with the same slice on every channel
(FN = 1, summed over channels), or with `depthwise` each channel filtered on its own (FN = C).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.config import Settings
from app.engine.kernels import CATALOGUE, KernelError, get_kernel
from app.errors import ApiError
from app.schemas import MAX_ABS_VALUE, CatalogueKernel, ModelKernel


@dataclass(frozen=True)
class ResolvedKernel:
    """weights: (FH, FW) when depthwise, else the bank (FN, C, FH, FW); raw: as given/built."""

    weights: np.ndarray
    raw: np.ndarray
    source: str
    depthwise: bool

    @property
    def fn(self) -> int:
        return int(self.weights.shape[0]) if self.weights.ndim == 4 else -1

    @property
    def side(self) -> tuple[int, int]:
        return int(self.weights.shape[-2]), int(self.weights.shape[-1])


def contains_bool(value: Any) -> bool:
    """True when a nested list holds a bool anywhere (json true/false: not numbers here, though
    NumPy would read them as 1/0). C-speed per leaf row: ~50 ns a value."""
    if type(value) is bool:
        return True
    if not isinstance(value, list):
        return False
    kinds = set(map(type, value))
    return bool in kinds or (list in kinds and any(contains_bool(v) for v in value))


def numeric_array(value: Any, field: str, what: str = "values") -> np.ndarray:
    """A nested list of finite numbers (|x| ≤ 1e6) as float32; 422 invalid_array if ragged or
    not numbers (true/false included: JSON booleans are not read as 1/0)."""
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        arr = None
    if arr is None or arr.dtype.kind not in "iuf" or arr.dtype == object or (
            isinstance(value, list) and contains_bool(value)):
        raise ApiError("invalid_array", field=field)
    with np.errstate(over="ignore"):  # past float32's range becomes ±inf, refused just below
        arr = arr.astype(np.float32)
    if arr.size == 0:
        raise ApiError("invalid_array", variant="empty", field=field)
    if not np.isfinite(arr).all() or np.abs(arr).max() > MAX_ABS_VALUE:
        raise ApiError("out_of_range", variant="values", field=field, limit=MAX_ABS_VALUE,
                       what=what)
    return arr


def _catalogue(kid: str, params: dict[str, Any], field: str) -> np.ndarray:
    # an integer past float range (400 digits) is refused by the engine's range check as ±inf
    params = {k: (math.inf if v > 0 else -math.inf) if type(v) is int and abs(v) > 2**1000 else v
              for k, v in params.items()}
    try:
        return get_kernel(kid, **params)
    except KernelError as e:
        # the engine's English message; the Japanese one from the catalogue
        if e.field == "kernel":
            raise ApiError("unknown_kernel", field=field, limit=e.limit, detail=str(e),
                           kernel_id=kid, known=", ".join(CATALOGUE)) from None
        raise ApiError("invalid_kernel_param", field=f"{field}.{e.field}", limit=e.limit,
                       variant="unknown_param" if e.limit is None else None, detail=str(e),
                       kernel_id=kid, param=e.field, value=params.get(e.field)) from None
    except (ArithmeticError, ValueError, TypeError) as e:  # any other refusal of the engine
        raise ApiError("invalid_kernel_param", field=field, variant="engine",
                       detail=str(e)) from None


def _learned(ref: ModelKernel, models: Any, field: str) -> tuple[np.ndarray, str]:
    if models is None:
        raise ApiError("unknown_model", variant="none_loaded", field=field)
    try:
        net = models.get(ref.model, field=f"{field}.model")
    except ApiError as e:
        raise ApiError("unknown_model", variant="spec", field=e.field, limit=e.limit,
                       model_id=ref.model) from None
    names = list(net.conv_layer_names())
    if ref.layer not in names:
        raise ApiError("unknown_layer", field=f"{field}.layer", limit=", ".join(names),
                       model=ref.model, layer=ref.layer)
    bank = np.asarray(net.conv_weights(ref.layer), dtype=np.float32)
    if ref.index is None:
        return bank, f"{ref.model}/{ref.layer}"
    if ref.index >= bank.shape[0]:
        last = bank.shape[0] - 1
        raise ApiError("out_of_range", variant="filter_index", field=f"{field}.index",
                       limit=last, layer=ref.layer, count=bank.shape[0])
    return bank[ref.index:ref.index + 1], f"{ref.model}/{ref.layer}[{ref.index}]"


def _raw(kernel: Any, models: Any, field: str) -> tuple[np.ndarray, str]:
    if isinstance(kernel, str):
        return _catalogue(kernel, {}, field), kernel
    if isinstance(kernel, CatalogueKernel):
        return _catalogue(kernel.id, dict(kernel.model_extra or {}), field), kernel.id
    if isinstance(kernel, ModelKernel):
        return _learned(kernel, models, field)
    arr = numeric_array(kernel, field, "kernel weights")
    if arr.ndim not in (2, 3, 4):
        raise ApiError("invalid_kernel_shape", field=field, ndim=arr.ndim)
    return (arr[None] if arr.ndim == 3 else arr), "custom"


def check_kernel_values(raw: np.ndarray, settings: Settings, field: str) -> None:
    """A custom kernel's FN·C·FH·FW ≤ max_kernel_values (what a request may carry)."""
    n = settings.max_kernel_values
    if raw.size > n:
        raise ApiError("kernel_too_large", variant="values", field=field, limit=n, count=raw.size)


def check_kernel_limits(raw: np.ndarray, settings: Settings, field: str) -> None:
    """FH, FW ≤ max_kernel_side; FN ≤ max_filters."""
    fh, fw = raw.shape[-2:]
    side = settings.max_kernel_side
    if fh > side or fw > side:
        raise ApiError("kernel_too_large", field=field, limit=side, fh=fh, fw=fw)
    if raw.ndim == 4 and raw.shape[0] > settings.max_filters:
        raise ApiError("too_many_filters", field=field, limit=settings.max_filters,
                       fn=raw.shape[0])


def resolve_kernel(kernel: Any, *, channels: int, depthwise: bool, settings: Settings,
                   models: Any = None, field: str = "spec.kernel") -> ResolvedKernel:
    """The spec's kernel for an input with `channels` channels (see the module docstring)."""
    raw, source = _raw(kernel, models, field)
    if source == "custom":
        check_kernel_values(raw, settings, field)
    check_kernel_limits(raw, settings, field)
    if depthwise:
        if raw.ndim != 2:
            raise ApiError("depthwise_needs_2d", field=field)
        return ResolvedKernel(raw, raw, source, True)
    if raw.ndim == 2:
        return ResolvedKernel(np.broadcast_to(raw, (1, channels, *raw.shape)), raw, source, False)
    if raw.shape[1] != channels:
        raise ApiError("channel_mismatch", field=field, limit=channels, channels=raw.shape[1])
    return ResolvedKernel(raw, raw, source, False)


def resolve_bias(bias: float | list[float], fn: int, field: str = "spec.bias") -> np.ndarray:
    """A number for every filter or FN numbers → (FN,) float32."""
    if isinstance(bias, list):
        if len(bias) != fn:
            raise ApiError("bias_length", field=field, limit=fn, count=len(bias))
        return np.asarray(bias, dtype=np.float32)
    return np.full((fn,), bias, dtype=np.float32)
