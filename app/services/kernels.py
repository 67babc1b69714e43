"""Resolve the `kernel` of a spec into weights the engine takes.

Accepted forms: a catalogue id; {"id": ..., <parameters>}; a 2-D list (FH, FW); a 3-D list
(C, FH, FW) as one filter; a 4-D list (FN, C, FH, FW) as a bank; {"model", "layer", "index"} for
one learned filter, {"model", "layer"} for the whole layer as a bank.

A 2-D kernel on C channels is the book's 3-D filter with the same slice on every channel
(FN = 1, summed over channels), or with `depthwise` each channel filtered on its own (FN = C).
"""

from __future__ import annotations

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


def _invalid(field: str, code: str, en: str, ja: str, limit: Any = None) -> ApiError:
    return ApiError(422, code, en, ja, field=field, limit=limit)


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
        raise _invalid(field, "invalid_array",
                       f"{field} must be a regular (rectangular) nested list of numbers.",
                       f"{field} は長方形に揃った数値の入れ子リストにしてください。")
    arr = arr.astype(np.float32)
    if arr.size == 0:
        raise _invalid(field, "invalid_array", f"{field} is empty.", f"{field} が空です。")
    if not np.isfinite(arr).all() or np.abs(arr).max() > MAX_ABS_VALUE:
        raise _invalid(field, "out_of_range", f"{field}: {what} must be finite with |x| ≤ 1e6.",
                       f"{field} の値は有限で |x| ≤ 1e6 にしてください。", MAX_ABS_VALUE)
    return arr


def _catalogue(kid: str, params: dict[str, Any], field: str) -> np.ndarray:
    try:
        return get_kernel(kid, **params)
    except KernelError as e:
        sub = field if e.field == "kernel" else f"{field}.{e.field}"
        code = "unknown_kernel" if e.field == "kernel" else "invalid_kernel_param"
        raise _invalid(sub, code, str(e), _kernel_error_ja(kid, params, e), e.limit) from None


def _kernel_error_ja(kid: str, params: dict[str, Any], e: KernelError) -> str:
    """The Japanese message for a catalogue KernelError (unknown id, parameter or value)."""
    if e.field == "kernel":
        return f"カーネル '{kid}' はありません。使えるカーネル: {', '.join(CATALOGUE)}。"
    if e.limit is None:
        return f"カーネル '{kid}' にパラメータ '{e.field}' はありません。"
    return f"{e.field}={params.get(e.field)!r} は使えません（制限: {e.limit}）。"


def _learned(ref: ModelKernel, models: Any, field: str) -> tuple[np.ndarray, str]:
    if models is None:
        raise _invalid(field, "unknown_model", "No learned models are loaded.",
                       "学習済みモデルが読み込まれていません。")
    try:
        net = models.get(ref.model, field=f"{field}.model")
    except ApiError as e:
        raise ApiError(422, e.code, e.message_en, e.message_ja, field=e.field,
                       limit=e.limit) from None
    names = list(net.conv_layer_names())
    if ref.layer not in names:
        raise _invalid(f"{field}.layer", "unknown_layer",
                       f"Model {ref.model!r} has no conv layer {ref.layer!r} ({', '.join(names)}).",
                       f"モデル {ref.model!r} に畳み込み層 {ref.layer!r} はありません。",
                       ", ".join(names))
    bank = np.asarray(net.conv_weights(ref.layer), dtype=np.float32)
    if ref.index is None:
        return bank, f"{ref.model}/{ref.layer}"
    if ref.index >= bank.shape[0]:
        last = bank.shape[0] - 1
        raise _invalid(f"{field}.index", "out_of_range",
                       f"{ref.layer} has {bank.shape[0]} filters: index ≤ {last}.",
                       f"{ref.layer} のフィルタは {bank.shape[0]} 個です（index ≤ {last}）。", last)
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
        raise _invalid(field, "invalid_kernel_shape",
                       f"{field} must be 2-D (FH, FW), 3-D (C, FH, FW) or 4-D (FN, C, FH, FW); "
                       f"got {arr.ndim}-D.",
                       f"{field} は 2〜4 次元にしてください（{arr.ndim} 次元）。")
    return (arr[None] if arr.ndim == 3 else arr), "custom"


def check_kernel_values(raw: np.ndarray, settings: Settings, field: str) -> None:
    """A custom kernel's FN·C·FH·FW ≤ max_kernel_values (what a request may carry)."""
    n = settings.max_kernel_values
    if raw.size > n:
        raise _invalid(field, "kernel_too_large",
                       f"The kernel has {raw.size:,} values (FN·C·FH·FW); at most {n:,}.",
                       f"カーネルの値が {raw.size:,} 個あります（FN·C·FH·FW、上限 {n:,}）。", n)


def check_kernel_limits(raw: np.ndarray, settings: Settings, field: str) -> None:
    """FH, FW ≤ max_kernel_side; FN ≤ max_filters."""
    fh, fw = raw.shape[-2:]
    side = settings.max_kernel_side
    if fh > side or fw > side:
        raise _invalid(field, "kernel_too_large",
                       f"The kernel is {fh}×{fw}; at most {side}×{side}.",
                       f"カーネルが {fh}×{fw} です。上限は {side}×{side} です。", side)
    if raw.ndim == 4 and raw.shape[0] > settings.max_filters:
        n = settings.max_filters
        raise _invalid(field, "too_many_filters",
                       f"The bank has FN={raw.shape[0]} filters; at most {n}.",
                       f"フィルタ数 FN={raw.shape[0]} が上限 {n} を超えています。", n)


def resolve_kernel(kernel: Any, *, channels: int, depthwise: bool, settings: Settings,
                   models: Any = None, field: str = "spec.kernel") -> ResolvedKernel:
    """The spec's kernel for an input with `channels` channels (see the module docstring)."""
    raw, source = _raw(kernel, models, field)
    if source == "custom":
        check_kernel_values(raw, settings, field)
    check_kernel_limits(raw, settings, field)
    if depthwise:
        if raw.ndim != 2:
            raise _invalid(field, "depthwise_needs_2d",
                           "depthwise applies one 2-D kernel to each channel; give a 2-D kernel.",
                           "depthwise には 2 次元のカーネルを指定してください。")
        return ResolvedKernel(raw, raw, source, True)
    if raw.ndim == 2:
        return ResolvedKernel(np.broadcast_to(raw, (1, channels, *raw.shape)), raw, source, False)
    if raw.shape[1] != channels:
        raise _invalid(field, "channel_mismatch",
                       f"The filters have C={raw.shape[1]} channels but the input has C={channels} "
                       f"(filter channels must equal input channels; for images set color).",
                       f"フィルタのチャンネル数 C={raw.shape[1]} が入力の C={channels} と"
                       f"違います。",
                       channels)
    return ResolvedKernel(raw, raw, source, False)


def resolve_bias(bias: float | list[float], fn: int, field: str = "spec.bias") -> np.ndarray:
    """A number for every filter or FN numbers → (FN,) float32."""
    if isinstance(bias, list):
        if len(bias) != fn:
            raise _invalid(field, "bias_length", f"bias has {len(bias)} values; FN = {fn}.",
                           f"bias の個数 {len(bias)} がフィルタ数 FN = {fn} と違います。", fn)
        return np.asarray(bias, dtype=np.float32)
    return np.full((fn,), bias, dtype=np.float32)
