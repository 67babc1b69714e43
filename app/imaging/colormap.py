"""Colour scales for feature-map previews: diverging (signed maps), sequential (non-negative), gray.

Each scale is a small lookup table linearly interpolated (in sRGB) from published control points:

- diverging: ColorBrewer 2.0 "RdBu", 11 classes (Cynthia Brewer, colorbrewer2.org, Apache-2.0),
  reversed so that negative values are blue, zero is the neutral #f7f7f7 and positive values red.
- sequential: matplotlib's "viridis" (van der Walt & Smith, CC0) sampled at t = 0, 0.1, …, 1.
- gray: black → white.

The browser (static/js) builds the same tables with the same formula; docs/contracts.md lists the
stops. LUT[i] = round_half_up(lerp(stops, i / (n − 1))) with n = 255 for diverging (odd, so zero
lands exactly on the middle entry) and n = 256 otherwise (gray is then the identity on 8-bit).
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import numpy as np

Scale = Literal["diverging", "sequential", "gray"]
ScaleArg = Literal["diverging", "sequential", "gray", "auto"]

DIVERGING_STOPS: tuple[str, ...] = (  # ColorBrewer RdBu-11, reversed: −max (blue) … 0 … +max (red)
    "#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7",
    "#fddbc7", "#f4a582", "#d6604d", "#b2182b", "#67001f",
)
SEQUENTIAL_STOPS: tuple[str, ...] = (  # viridis at t = 0, 0.1, …, 1.0
    "#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c",
    "#22a884", "#44bf70", "#7ad151", "#bddf26", "#fde725",
)
GRAY_STOPS: tuple[str, ...] = ("#000000", "#ffffff")

STOPS: dict[Scale, tuple[str, ...]] = {
    "diverging": DIVERGING_STOPS, "sequential": SEQUENTIAL_STOPS, "gray": GRAY_STOPS,
}
LUT_SIZE: dict[Scale, int] = {"diverging": 255, "sequential": 256, "gray": 256}


def _hex(c: str) -> tuple[int, int, int]:
    return int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)


@cache
def lut(scale: Scale) -> np.ndarray:
    """uint8 (n, 3): entry i is the stops linearly interpolated at t = i / (n − 1).

    With S stops at positions k / (S − 1): k = min(floor(t·(S − 1)), S − 2), f = t·(S − 1) − k,
    c = a + (b − a)·f per channel, rounded half up.
    """
    stops = np.array([_hex(c) for c in STOPS[scale]], dtype=np.float64)
    n, S = LUT_SIZE[scale], len(stops)
    out = np.empty((n, 3), dtype=np.uint8)
    for i in range(n):
        x = i / (n - 1) * (S - 1)
        k = min(int(np.floor(x)), S - 2)
        f = x - k
        out[i] = np.floor(stops[k] + (stops[k + 1] - stops[k]) * f + 0.5)
    out.setflags(write=False)
    return out


def auto_scale(map2d: np.ndarray) -> Scale:
    """"diverging" when the map has a negative value, else "sequential"."""
    a = np.asarray(map2d)
    finite = a[np.isfinite(a)]
    return "diverging" if finite.size and float(finite.min()) < 0 else "sequential"


def scale_range(map2d: np.ndarray, scale: Scale) -> tuple[float, float]:
    """The value range mapped onto the scale's ends.

    diverging: (−m, m) with m = max |v|; sequential: (min(0, min), max); gray: (0, 1) when every
    value lies in [0, 1], else (min, max). Non-finite values are ignored.
    """
    a = np.asarray(map2d, dtype=np.float64)
    finite = a[np.isfinite(a)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    if scale == "diverging":
        m = max(abs(lo), abs(hi))
        return -m, m
    if scale == "sequential":
        return min(0.0, lo), hi
    if lo >= 0.0 and hi <= 1.0:
        return 0.0, 1.0
    return lo, hi


def colorize(map2d: np.ndarray, scale: ScaleArg = "auto", *, vmin: float | None = None,
             vmax: float | None = None) -> np.ndarray:
    """A 2-D map (H, W) → uint8 (H, W, 3) through the scale's LUT.

    sequential / gray: t = (v − lo) / (hi − lo) clipped to [0, 1], index = floor(t·(n − 1) + 0.5).
    diverging (n = 255, middle 127): v clipped to [lo, hi], c = (lo + hi) / 2, r = (hi − lo) / 2,
    index = 127 + sign(v − c)·floor(|v − c|·(127 / r) + 0.5) (symmetric around the middle).
    hi = lo: the middle entry for diverging, entry 0 otherwise. [lo, hi] from `scale_range`
    unless vmin / vmax are given.
    NaN counts as 0; ±inf clip to the ends.
    """
    a = np.asarray(map2d, dtype=np.float32)
    if a.ndim != 2:
        raise ValueError(f"colorize expects a 2-D map, got shape {a.shape}")
    name: Scale = auto_scale(a) if scale == "auto" else scale
    if name not in STOPS:
        raise ValueError(f"unknown colour scale {scale!r}")
    lo, hi = scale_range(a, name)
    lo = lo if vmin is None else float(vmin)
    hi = hi if vmax is None else float(vmax)
    table = lut(name)
    n = len(table)
    if hi <= lo:  # a constant map (or an empty range)
        return table[np.full(a.shape, (n - 1) // 2 if name == "diverging" else 0, np.intp)]
    v = a.astype(np.float64)
    if not np.isfinite(v).all():
        np.nan_to_num(v, copy=False, nan=0.0)
    np.clip(v, lo, hi, out=v)  # also tames ±inf before any arithmetic
    if name == "diverging":  # symmetric rounding: ±v land equally far from the middle
        half = (n - 1) // 2
        v -= (lo + hi) / 2
        v *= half / ((hi - lo) / 2)  # now in [−half, half]
        idx = np.floor(np.abs(v) + 0.5)
        idx *= np.sign(v)
        idx += half
    else:
        v -= lo
        v *= (n - 1) / (hi - lo)
        idx = np.floor(v + 0.5, out=v)
    return table[idx.astype(np.intp)]
