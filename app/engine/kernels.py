"""The kernel catalogue of slide 3: smoothing, sharpening, edge detection and a few others.

Every kernel is a (FH, FW) float32 array applied as a cross-correlation (no flip), the way a CNN
applies its filters. `get_kernel("gaussian", size=5, sigma=1.0)` validates every parameter and
raises `KernelError` naming the field and its limit. The English and Japanese names,
descriptions and parameter ranges live in kernels.json beside this module; the builders here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

Category = Literal["smoothing", "sharpening", "edge", "other"]
CATEGORIES: tuple[Category, ...] = ("smoothing", "sharpening", "edge", "other")


class KernelError(ValueError):
    """Unknown kernel id or a bad parameter; `field` names it, `limit` states the allowed range."""

    def __init__(self, message: str, *, field: str, limit: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.limit = limit


@dataclass(frozen=True)
class Param:
    """One validated parameter: min <= value <= max, and on the grid min + k·step for ints."""

    name: str
    kind: Literal["int", "float"]
    default: float
    min: float
    max: float
    step: float
    label_en: str
    label_ja: str

    @property
    def limit(self) -> str:
        """The allowed range as text, e.g. "3..31 (odd)" or "0.1..10"."""
        lo, hi = _fmt(self.min), _fmt(self.max)
        if self.kind == "int" and self.step == 2:
            return f"{lo}..{hi} ({'odd' if int(self.min) % 2 else 'even'})"
        return f"{lo}..{hi}"

    def check(self, value: Any) -> float:
        """The value as int/float when valid, else KernelError(field=name, limit=...)."""
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise KernelError(f"{self.name} must be a number in {self.limit}, not {value!r}",
                              field=self.name,
                              limit=self.limit)
        try:
            v = float(value)
        except OverflowError:  # an int past float's range (e.g. 400 digits): out of range too
            raise KernelError(f"{self.name} (an integer of {int(value).bit_length()} bits) is "
                              f"outside {self.limit}", field=self.name, limit=self.limit) from None
        if not math.isfinite(v) or v < self.min or v > self.max:
            raise KernelError(f"{self.name}={_fmt(v)} is outside {self.limit}", field=self.name,
                              limit=self.limit)
        if self.kind == "int":
            if v != int(v) or (int(v) - int(self.min)) % int(self.step):
                raise KernelError(f"{self.name}={_fmt(v)} must be an integer in {self.limit}",
                                  field=self.name, limit=self.limit)
            return int(v)
        return v


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


@dataclass(frozen=True)
class KernelSpec:
    """A catalogue entry: ids, names and one-line descriptions (en/ja), parameters and a builder."""

    id: str
    category: Category
    name_en: str
    name_ja: str
    description_en: str
    description_ja: str
    params: tuple[Param, ...]

    def defaults(self) -> dict[str, float]:
        """Each parameter's default value."""
        return {p.name: (int(p.default) if p.kind == "int" else p.default) for p in self.params}

    def validate(self, **params: Any) -> dict[str, float]:
        """Defaults overridden by the given values, every one checked."""
        known = {p.name: p for p in self.params}
        for name in params:
            if name not in known:
                allowed = ", ".join(known) or "none"
                raise KernelError(f"kernel {self.id!r} has no parameter {name!r} "
                                  f"(parameters: {allowed})",
                                  field=name, limit=None)
        values = self.defaults()
        values.update({name: known[name].check(v) for name, v in params.items()})
        return values

    def build(self, **params: Any) -> np.ndarray:
        """The (FH, FW) float32 kernel for the given (validated) parameters."""
        return np.asarray(_MAKERS[self.id](**self.validate(**params)), dtype=np.float32)


# ---- builders ---------------------------------------------------------------------------------

def _const(rows: list[list[float]]) -> Callable[..., np.ndarray]:
    arr = np.array(rows, dtype=np.float32)
    return lambda: arr.copy()


def gaussian_kernel(size: int, sigma: float) -> np.ndarray:
    """size×size samples of exp(−(x² + y²) / 2σ²), normalised to sum 1."""
    r = (np.arange(size, dtype=np.float64) - (size - 1) / 2) ** 2
    g = np.exp(-r / (2 * sigma * sigma))
    k = np.outer(g, g)
    return (k / k.sum()).astype(np.float32)


def motion_blur_kernel(length: int, angle: float) -> np.ndarray:
    """A length×length line through the centre at `angle` degrees, sum 1: 0 = horizontal, turning
    counter-clockwise as the image is seen (rows go down), so 45 = / and 135 = \\.

    Each cell's weight is the share of the line (sampled 32 times per pixel) that falls in it.
    """
    c = (length - 1) / 2
    n = 32 * length
    t = (np.arange(n) + 0.5) * (length / n) - length / 2
    a = math.radians(angle)
    cols = np.clip(np.rint(np.round(c + t * math.cos(a), 9)), 0, length - 1).astype(int)
    rows = np.clip(np.rint(np.round(c - t * math.sin(a), 9)), 0, length - 1).astype(int)
    k = np.zeros((length, length), dtype=np.float64)
    np.add.at(k, (rows, cols), 1.0)
    return (k / k.sum()).astype(np.float32)


def _box(size: int) -> np.ndarray:
    return np.full((size, size), 1.0 / (size * size), dtype=np.float32)


def _sharpen(amount: float) -> np.ndarray:
    k = np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]], dtype=np.float32) * np.float32(amount)
    k[1, 1] += 1
    return k


def _unsharp(amount: float, size: int, sigma: float) -> np.ndarray:
    k = -np.float32(amount) * gaussian_kernel(size, sigma)
    k[size // 2, size // 2] += 1 + amount
    return k


# ---- the catalogue ----------------------------------------------------------------------------

_MAKERS: dict[str, Callable[..., np.ndarray]] = {
    "box-blur": _box,
    "gaussian": gaussian_kernel,
    "motion-blur": motion_blur_kernel,
    "sharpen": _sharpen,
    "unsharp-mask": _unsharp,
    "laplacian-4": _const([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "laplacian-8": _const([[1, 1, 1], [1, -8, 1], [1, 1, 1]]),
    "sobel-x": _const([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "sobel-y": _const([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "prewitt-x": _const([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]),
    "prewitt-y": _const([[-1, -1, -1], [0, 0, 0], [1, 1, 1]]),
    "scharr-x": _const([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]]),
    "scharr-y": _const([[-3, -10, -3], [0, 0, 0], [3, 10, 3]]),
    "outline": _const([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
    "identity": _const([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    "emboss": _const([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
}


def _load(path: Path) -> tuple[KernelSpec, ...]:
    """The catalogue entries of kernels.json, in file order (one builder each in _MAKERS)."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    specs = tuple(KernelSpec(**{**e, "params": tuple(Param(**p) for p in e["params"])})
                  for e in entries)
    if {s.id for s in specs} != set(_MAKERS):
        raise RuntimeError(f"{path.name} and _MAKERS name different kernels")
    return specs


_SPECS = _load(Path(__file__).with_name("kernels.json"))
CATALOGUE: dict[str, KernelSpec] = {s.id: s for c in CATEGORIES for s in _SPECS if s.category == c}


def get_spec(kernel_id: str) -> KernelSpec:
    """The catalogue entry, or KernelError(field="kernel") for an unknown id."""
    try:
        return CATALOGUE[kernel_id]
    except (KeyError, TypeError):
        raise KernelError(f"unknown kernel {kernel_id!r}; known: {', '.join(CATALOGUE)}",
                          field="kernel", limit=None) from None


def get_kernel(kernel_id: str, **params: Any) -> np.ndarray:
    """The (FH, FW) float32 kernel `kernel_id` built with validated `params`."""
    return get_spec(kernel_id).build(**params)
