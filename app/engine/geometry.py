"""Sliding-window geometry (slide 10) and padding. NCHW; pure NumPy."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

Pair = int | tuple[int, int]
PAD_MODES = ("zeros", "edge", "reflect")


class GeometryError(ValueError):
    """The output of a convolution or pooling would be smaller than 1×1."""


def pair(v: Pair, name: str = "value") -> tuple[int, int]:
    """An int or an (h, w) pair as an (h, w) tuple of ints."""
    if isinstance(v, (int, np.integer)):
        return int(v), int(v)
    h, w = v
    return int(h), int(w)


@dataclass(frozen=True)
class Geometry:
    """Output size of a sliding window: OH = (H + 2P - FH_eff) // S + 1 (slide 10)."""

    H: int
    W: int
    FH: int
    FW: int
    stride: tuple[int, int]
    pad: tuple[int, int]
    dilation: tuple[int, int]
    out_h: int
    out_w: int
    exact_h: bool
    exact_w: bool
    dropped_rows: int
    dropped_cols: int
    formula_h: str
    formula_w: str

    @property
    def exact(self) -> bool:
        return self.exact_h and self.exact_w


def _axis(n: int, f: int, s: int, p: int, d: int,
          names: tuple[str, str, str]) -> tuple[int, bool, int, str]:
    fe = d * (f - 1) + 1
    span = n + 2 * p - fe
    out_n, rem = divmod(span, s) if span >= 0 else (-1, 0)
    out_n += 1
    o, i, k = names
    fterm = f"{fe}" if d == 1 else f"{fe} (= {d}·({f}−1)+1)"
    if span < 0:
        text = f"{o} = ({i} + 2P − {k}) / S + 1 = ({n} + 2·{p} − {fterm}) / {s} + 1 < 1"
    elif rem == 0:
        text = f"{o} = ({i} + 2P − {k}) / S + 1 = ({n} + 2·{p} − {fterm}) / {s} + 1 = {out_n}"
    else:
        text = (f"{o} = ⌊({i} + 2P − {k}) / S⌋ + 1 = ⌊({n} + 2·{p} − {fterm}) / {s}⌋ + 1 = {out_n}"
                f" (not exact: remainder {rem})")
    return out_n, rem == 0 and span >= 0, rem, text


def conv_geometry(H: int, W: int, FH: int, FW: int, *, stride: Pair = 1, pad: Pair = 0,
                  dilation: Pair = 1) -> Geometry:
    """out_h, out_w of a window FH×FW sliding over H×W with padding P and stride S.

    OH = (H + 2P − FH) / S + 1 (floored); the remainder is how many padded rows at the
    bottom (columns at the right) are never covered. Raises GeometryError when OH or OW < 1.
    """
    if type(stride) is type(pad) is type(dilation) is int:  # the usual call: no pair() (~1 µs)
        s, p, d = (stride, stride), (pad, pad), (dilation, dilation)
    else:
        s, p, d = pair(stride), pair(pad), pair(dilation)
    return _geometry(int(H), int(W), int(FH), int(FW), s, p, d)


@lru_cache(maxsize=512)
def _geometry(H: int, W: int, FH: int, FW: int, stride: tuple[int, int], pad: tuple[int, int],
              dilation: tuple[int, int]) -> Geometry:
    """conv_geometry on normalised arguments, cached (Geometry is immutable)."""
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    if min(H, W, FH, FW, sh, sw, dh, dw) < 1 or min(ph, pw) < 0:
        raise GeometryError(f"invalid sizes: H={H} W={W} FH={FH} FW={FW} stride=({sh},{sw}) "
                            f"pad=({ph},{pw}) dilation=({dh},{dw})")
    out_h, eh, rh, fh = _axis(H, FH, sh, ph, dh, ("OH", "H", "FH"))
    out_w, ew, rw, fw = _axis(W, FW, sw, pw, dw, ("OW", "W", "FW"))
    if out_h < 1 or out_w < 1:
        raise GeometryError(
            f"output would be {out_h}×{out_w}: the {FH}×{FW} window (dilation {dh},{dw}) does not "
            f"fit in the padded input {H + 2 * ph}×{W + 2 * pw} (H={H}, W={W}, pad=({ph},{pw}))")
    return Geometry(H, W, FH, FW, (sh, sw), (ph, pw), (dh, dw), out_h, out_w, eh, ew, rh, rw,
                    fh, fw)


def check_pad_mode(mode: str) -> None:
    """ValueError unless mode is one of PAD_MODES (zeros | edge | reflect)."""
    if mode not in PAD_MODES:
        raise ValueError(f"pad_mode must be one of {PAD_MODES}, not {mode!r}")


def pad2d(x: np.ndarray, pad: Pair, mode: str = "zeros", value: float = 0.0) -> np.ndarray:
    """Pad the last two axes of x by (ph, pw) on each side; mode zeros | edge | reflect.

    "zeros" fills with `value` (0 unless told, e.g. −∞ for max pooling). Always float32: x
    itself when it is float32 and there is nothing to pad (never modified), else a new array.
    """
    ph, pw = pair(pad)
    check_pad_mode(mode)
    x = f32(x)
    if ph == 0 and pw == 0:
        return x
    if min(ph, pw) < 0:
        raise GeometryError(f"padding must be >= 0, not ({ph}, {pw})")
    H, W = x.shape[-2:]
    if mode == "zeros":
        out = np.empty((*x.shape[:-2], H + 2 * ph, W + 2 * pw), np.float32)
        out[..., :ph, :] = value
        out[..., H + ph:, :] = value
        out[..., ph:H + ph, :pw] = value
        out[..., ph:H + ph, W + pw:] = value
        out[..., ph:H + ph, pw:W + pw] = x
        return out
    if mode == "reflect" and (ph >= H or pw >= W):
        raise GeometryError(f"reflect padding ({ph}, {pw}) needs an input larger than the padding "
                            f"({H}×{W})")
    widths = [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)]
    return np.pad(x, widths, mode=mode)  # type: ignore[call-overload]


def f32(x: np.ndarray | float) -> np.ndarray:
    """x as a float32 array (no copy when it already is one)."""
    return np.asarray(x, dtype=np.float32)
