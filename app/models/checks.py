"""What a model file declares, checked before any weight is read (see app.models.files).

``check_architecture(arch)`` validates the ``__architecture__`` JSON of a .npz and returns the
parameter shapes it implies ({"conv1.W": (FN, C, FH, FW), ...}); the file's .npy headers must
declare exactly those. The API feeds a model one 28×28 gray digit, or one 32×32 RGB image for a
colour model, and reads a probability vector, so a model must take (1, 28, 28) or (3, 32, 32),
give a 1-D output before its softmax, and have at least
one filter per conv and one unit per affine layer. Sizes and cost are bounded so that one
prediction stays small (MAX_MACS multiply-adds, MAX_STAGE_VALUES values per stage).
``check_values(params)`` refuses NaN, ±inf and |w| > MAX_ABS_WEIGHT (the custom-kernel limit).
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

INPUT_SHAPE = (1, 28, 28)
INPUT_SHAPES = ((1, 28, 28), (3, 32, 32))  # a digit; a colour image (app.models.datasets.synthetic)
MAX_LAYERS = 32
MAX_FILTERS = 1024
MAX_KERNEL = 31
MAX_STRIDE = 8
MAX_PAD = 15
MAX_UNITS = 4096
MAX_CLASSES = 1000
MAX_PARAMS = 16_000_000
MAX_MACS = 500_000_000  # one prediction
MAX_STAGE_VALUES = 4_000_000
MAX_ABS_WEIGHT = 1e6
MAX_NAME = 200
_LAYER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")
_KEYS = {"conv": {"filters", "size", "stride", "pad"}, "pool": {"size", "stride"},
         "affine": {"units"}, "relu": set(), "softmax": set()}


class ModelCheckError(ValueError):
    """The model file declares something the server cannot serve; the message says what."""


def _int(spec: dict[str, Any], key: str, lo: int, hi: int, default: int | None = None) -> int:
    value = spec.get(key, default)
    if type(value) is not int or not lo <= value <= hi:
        raise ModelCheckError(f"layer {spec.get('name')!r}: {key} = {str(value)[:40]} must be "
                              f"an integer in {lo}..{hi}")
    return value


def _spatial(spec: dict[str, Any], shape: tuple[int, ...], k: int, s: int, p: int) -> tuple[
        int, int]:
    if len(shape) != 3:
        raise ModelCheckError(f"layer {spec['name']!r}: a {spec['type']} layer after the "
                              f"output became a vector {shape}")
    h, w = ((n + 2 * p - k) // s + 1 for n in shape[1:])
    if h < 1 or w < 1:
        raise ModelCheckError(f"layer {spec['name']!r}: a {k}×{k} window (stride {s}, pad {p}) "
                              f"does not fit the {shape[1]}×{shape[2]} input")
    return h, w


def _layer(spec: dict[str, Any], shape: tuple[int, ...]) -> tuple[
        tuple[int, ...], dict[str, tuple[int, ...]], int]:
    """(output shape, parameter shapes, multiply-adds) of one layer spec."""
    kind, name = spec["type"], spec["name"]
    if kind == "conv":
        fn = _int(spec, "filters", 1, MAX_FILTERS)
        k = _int(spec, "size", 1, MAX_KERNEL)
        s, p = _int(spec, "stride", 1, MAX_STRIDE, 1), _int(spec, "pad", 0, MAX_PAD, 0)
        h, w = _spatial(spec, shape, k, s, p)
        params = {f"{name}.W": (fn, shape[0], k, k), f"{name}.b": (fn,)}
        return (fn, h, w), params, fn * h * w * shape[0] * k * k
    if kind == "pool":
        k = _int(spec, "size", 1, MAX_STRIDE)
        s = _int(spec, "stride", 1, MAX_STRIDE, k)
        h, w = _spatial(spec, shape, k, s, 0)
        return (shape[0], h, w), {}, 0
    if kind == "affine":
        units = _int(spec, "units", 1, MAX_UNITS)
        fan_in = math.prod(shape)
        return (units,), {f"{name}.W": (fan_in, units), f"{name}.b": (units,)}, fan_in * units
    return shape, {}, 0  # relu, softmax


def _spec(spec: Any, index: int, seen: set[str]) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise ModelCheckError(f"layer {index} is a {type(spec).__name__}, not an object")
    name, kind = spec.get("name"), spec.get("type")
    if not isinstance(name, str) or not _LAYER_NAME.fullmatch(name) or name in seen | {"input"}:
        raise ModelCheckError(f"layer {index}: name {str(name)[:40]!r} must be unique, 1-32 "
                              f"letters, digits, _ or -, starting with a letter")
    if kind not in _KEYS:
        raise ModelCheckError(f"layer {name!r}: unknown type {str(kind)[:20]!r} "
                              f"(known: {', '.join(_KEYS)})")
    extra = set(spec) - _KEYS[kind] - {"name", "type"}
    if extra:
        raise ModelCheckError(f"layer {name!r}: unknown settings {sorted(extra)[:5]}")
    seen.add(name)
    return spec


def check_architecture(arch: Any) -> dict[str, tuple[int, ...]]:
    """The parameter shapes ``arch`` implies, in layer order; ModelCheckError with the first
    problem otherwise (see the module docstring for the rules)."""
    if not isinstance(arch, dict):
        raise ModelCheckError("__architecture__ is not a JSON object")
    for key in ("id", "name"):
        if not isinstance(arch.get(key), str) or not 0 < len(arch[key]) <= MAX_NAME:
            raise ModelCheckError(f"__architecture__ {key} must be a string of 1-{MAX_NAME} "
                                  f"characters")
    shape_in = arch.get("input_shape")
    if not isinstance(shape_in, list) or tuple(shape_in) not in INPUT_SHAPES or \
            any(type(v) is not int for v in shape_in):
        raise ModelCheckError(f"input_shape {str(shape_in)[:40]}: the API feeds one 28×28 gray "
                              f"digit or one 32×32 RGB image, so a model must take "
                              f"{list(INPUT_SHAPES[0])} or {list(INPUT_SHAPES[1])}")
    layers = arch.get("layers")
    if not isinstance(layers, list) or not 1 <= len(layers) <= MAX_LAYERS:
        raise ModelCheckError(f"layers must be a list of 1-{MAX_LAYERS} layer objects")
    seen: set[str] = set()
    shape: tuple[int, ...] = tuple(shape_in)
    params: dict[str, tuple[int, ...]] = {}
    macs = 0
    for i, raw in enumerate(layers):
        spec = _spec(raw, i, seen)
        if (spec["type"] == "softmax") != (i == len(layers) - 1):
            raise ModelCheckError("the last layer, and only the last, must be softmax")
        shape, more, cost = _layer(spec, shape)
        params.update(more)
        macs += cost
        if math.prod(shape) > MAX_STAGE_VALUES:
            raise ModelCheckError(f"layer {spec['name']!r} outputs {math.prod(shape):,} values; "
                                  f"at most {MAX_STAGE_VALUES:,}")
    if len(shape) != 1 or not 1 <= shape[0] <= MAX_CLASSES:
        raise ModelCheckError(f"the softmax gets shape {shape}; it needs a vector of 1-"
                              f"{MAX_CLASSES} class scores (an affine layer before it)")
    total = sum(math.prod(s) for s in params.values())
    if total > MAX_PARAMS or macs > MAX_MACS:
        raise ModelCheckError(f"{total:,} parameters and {macs:,} multiply-adds per prediction; "
                              f"at most {MAX_PARAMS:,} and {MAX_MACS:,}")
    return params


def check_values(params: dict[str, np.ndarray]) -> None:
    """Every weight finite with |w| ≤ MAX_ABS_WEIGHT; ModelCheckError naming the array."""
    for key, a in params.items():
        bad = int(a.size - np.count_nonzero(np.isfinite(a)))
        if bad:
            raise ModelCheckError(f"{key} holds {bad:,} NaN or infinite values")
        if a.size and float(np.abs(a).max()) > MAX_ABS_WEIGHT:
            raise ModelCheckError(f"{key} holds values beyond ±{MAX_ABS_WEIGHT:g}")
