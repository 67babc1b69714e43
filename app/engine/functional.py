"""The CNN maths as pure NumPy functions. NCHW, float32 in and out.

Baseline implementations (im2col + matmul, as in the book); optimised in place later.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def _axis(n: int, f: int, s: int, p: int, d: int, names: tuple[str, str, str]) -> tuple[int, bool, int, str]:
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
    sh, sw = pair(stride)
    ph, pw = pair(pad)
    dh, dw = pair(dilation)
    if min(H, W, FH, FW, sh, sw, dh, dw) < 1 or min(ph, pw) < 0:
        raise GeometryError(f"invalid sizes: H={H} W={W} FH={FH} FW={FW} stride=({sh},{sw}) "
                            f"pad=({ph},{pw}) dilation=({dh},{dw})")
    out_h, eh, rh, fh = _axis(H, FH, sh, ph, dh, ("OH", "H", "FH"))
    out_w, ew, rw, fw = _axis(W, FW, sw, pw, dw, ("OW", "W", "FW"))
    if out_h < 1 or out_w < 1:
        raise GeometryError(
            f"output would be {out_h}×{out_w}: the {FH}×{FW} window (dilation {dh},{dw}) does not "
            f"fit in the padded input {H + 2 * ph}×{W + 2 * pw} (H={H}, W={W}, pad=({ph},{pw}))")
    return Geometry(H, W, FH, FW, (sh, sw), (ph, pw), (dh, dw), out_h, out_w, eh, ew, rh, rw, fh, fw)


def pad2d(x: np.ndarray, pad: Pair, mode: str = "zeros") -> np.ndarray:
    """Pad the last two axes of x by (ph, pw) on each side; mode zeros | edge | reflect."""
    ph, pw = pair(pad)
    if mode not in PAD_MODES:
        raise ValueError(f"pad_mode must be one of {PAD_MODES}, not {mode!r}")
    if ph == 0 and pw == 0:
        return x
    widths = [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)]
    if mode == "zeros":
        return np.pad(x, widths, mode="constant")
    if mode == "reflect" and (ph >= x.shape[-2] or pw >= x.shape[-1]):
        raise GeometryError(f"reflect padding {ph},{pw} needs an input larger than the padding "
                            f"({x.shape[-2]}×{x.shape[-1]})")
    return np.pad(x, widths, mode=mode)


def _f32(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


def im2col(x: np.ndarray, FH: int, FW: int, stride: Pair = 1, pad: Pair = 0,
           dilation: Pair = 1, pad_mode: str = "zeros") -> np.ndarray:
    """(N, C, H, W) → col (N·out_h·out_w, C·FH·FW), one row per output position."""
    x = _f32(x)
    N, C, H, W = x.shape
    g = conv_geometry(H, W, FH, FW, stride=stride, pad=pad, dilation=dilation)
    (sh, sw), (dh, dw) = g.stride, g.dilation
    xp = pad2d(x, g.pad, pad_mode)
    col = np.empty((N, C, FH, FW, g.out_h, g.out_w), dtype=np.float32)
    for i in range(FH):
        y0 = i * dh
        for j in range(FW):
            x0 = j * dw
            col[:, :, i, j] = xp[:, :, y0:y0 + sh * (g.out_h - 1) + 1:sh,
                                 x0:x0 + sw * (g.out_w - 1) + 1:sw]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(N * g.out_h * g.out_w, -1)


def col2im(col: np.ndarray, input_shape: tuple[int, int, int, int], FH: int, FW: int,
           stride: Pair = 1, pad: Pair = 0, dilation: Pair = 1) -> np.ndarray:
    """Inverse scatter-add of im2col: col (N·out_h·out_w, C·FH·FW) → (N, C, H, W)."""
    N, C, H, W = input_shape
    g = conv_geometry(H, W, FH, FW, stride=stride, pad=pad, dilation=dilation)
    (sh, sw), (ph, pw), (dh, dw) = g.stride, g.pad, g.dilation
    c = _f32(col).reshape(N, g.out_h, g.out_w, C, FH, FW).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=np.float32)
    for i in range(FH):
        y0 = i * dh
        for j in range(FW):
            x0 = j * dw
            img[:, :, y0:y0 + sh * (g.out_h - 1) + 1:sh, x0:x0 + sw * (g.out_w - 1) + 1:sw] += c[:, :, i, j]
    return img[:, :, ph:ph + H, pw:pw + W]


def conv2d(x: np.ndarray, W: np.ndarray, b: np.ndarray | float | None = None, *, stride: Pair = 1,
           pad: Pair = 0, pad_mode: str = "zeros", dilation: Pair = 1) -> np.ndarray:
    """x (N, C, H, W) ⊛ W (FN, C, FH, FW) + b (FN,) → (N, FN, out_h, out_w). No kernel flip."""
    x, W = _f32(x), _f32(W)
    N, C, H, Wd = x.shape
    FN, C2, FH, FW = W.shape
    if C != C2:
        raise ValueError(f"input has C={C} channels but the filters have {C2}")
    g = conv_geometry(H, Wd, FH, FW, stride=stride, pad=pad, dilation=dilation)
    col = im2col(x, FH, FW, stride, pad, dilation, pad_mode)
    out = col @ W.reshape(FN, -1).T
    if b is not None:
        out += np.broadcast_to(_f32(b), (FN,))
    return out.reshape(N, g.out_h, g.out_w, FN).transpose(0, 3, 1, 2).astype(np.float32, copy=False)


def depthwise_conv2d(x: np.ndarray, K: np.ndarray, b: np.ndarray | float | None = None, *,
                     stride: Pair = 1, pad: Pair = 0, pad_mode: str = "zeros",
                     dilation: Pair = 1) -> np.ndarray:
    """Each channel filtered on its own: x (N, C, H, W), K (FH, FW) or (C, FH, FW) → (N, C, OH, OW)."""
    x, K = _f32(x), _f32(K)
    N, C, H, Wd = x.shape
    if K.ndim == 2:
        K = np.broadcast_to(K, (C, *K.shape))
    if K.shape[0] != C:
        raise ValueError(f"depthwise kernels: {K.shape[0]} given for C={C} channels")
    y = conv2d(x.reshape(N * C, 1, H, Wd), K[:, None], None, stride=stride, pad=pad,
               pad_mode=pad_mode, dilation=dilation)  # (N·C, C, OH, OW): keep the diagonal
    y = y.reshape(N, C, C, *y.shape[-2:])[:, np.arange(C), np.arange(C)]
    if b is not None:
        y = y + np.broadcast_to(_f32(b), (C,))[None, :, None, None]
    return np.ascontiguousarray(y, dtype=np.float32)


def _pool(x: np.ndarray, size: Pair, stride: Pair | None, pad: Pair, op: str) -> np.ndarray:
    x = _f32(x)
    N, C, H, W = x.shape
    ph_, pw_ = pair(size)
    stride = (ph_, pw_) if stride is None else stride
    g = conv_geometry(H, W, ph_, pw_, stride=stride, pad=pad)
    fill = -np.inf if op == "max" else 0.0
    pp = g.pad
    xp = np.pad(x, [(0, 0), (0, 0), (pp[0], pp[0]), (pp[1], pp[1])], constant_values=fill) \
        if pp != (0, 0) else x
    col = im2col(xp.reshape(N * C, 1, *xp.shape[-2:]), ph_, pw_, stride, 0)
    out = col.max(axis=1) if op == "max" else col.mean(axis=1)
    return out.reshape(N, C, g.out_h, g.out_w).astype(np.float32, copy=False)


def max_pool2d(x: np.ndarray, size: Pair = 2, stride: Pair | None = None, pad: Pair = 0) -> np.ndarray:
    """Max over each size×size window; stride defaults to size. (N, C, H, W) → (N, C, OH, OW)."""
    return _pool(x, size, stride, pad, "max")


def avg_pool2d(x: np.ndarray, size: Pair = 2, stride: Pair | None = None, pad: Pair = 0) -> np.ndarray:
    """Mean over each window (zero padding counted); stride defaults to size."""
    return _pool(x, size, stride, pad, "avg")


def relu(x: np.ndarray) -> np.ndarray:
    """max(0, x), element-wise."""
    return np.maximum(_f32(x), np.float32(0))


def affine(x: np.ndarray, W: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """x (N, ...) flattened to (N, D) · W (D, M) + b (M,) → (N, M)."""
    x = _f32(x)
    out = x.reshape(x.shape[0], -1) @ _f32(W)
    return out + _f32(b) if b is not None else out


def softmax(x: np.ndarray) -> np.ndarray:
    """exp(x − max) / Σ exp(x − max) over the last axis."""
    x = _f32(x)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32, copy=False)
