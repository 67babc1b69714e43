"""Faster exact paths behind the core's conv2d / depthwise_conv2d signatures.

- one filter (FN = 1) or depthwise: the cheapest (estimated passes) of row slabs (slabs.py: FW
  shifted row copies, one BLAS product per ROWS output rows), a column product (colprod.py:
  one copy of the input rows, a block-Toeplitz product, FW shifted adds), shift-and-add
  (filters.py) and, for a rank-1 kernel on one channel or on channels mixed first (Gaussian,
  box, Sobel, …), a column product then a row pass (separable.py);
- a filter bank: row slabs when output rows are at least slabs.MIN_OW wide (one product per
  output row), else cache-blocked im2col multiplied straight into the output (gemm.py).
NaN and ±∞ give the same result as the core (app/engine/conv.py, and torch): 0·NaN stays NaN.
Weights with one take the core path (a check on the small operand), except a filter bank by
im2col, which multiplies every weight like the core (no check). The input is checked only
where a path could differ: im2col and the filter-bank slabs multiply every tap of every window,
so they propagate exactly and are not checked (so does separable.py's column product);
shift-and-add and separable.py's row pass skip zero taps (so a kernel with a zero is checked
up front), and the one-filter slabs' and colprod.py's block-Toeplitz products would spread a
NaN to neighbouring rows (so they check each block of input rows while it is in cache).
All are checked against the core and the naive loops of reference.py by the property tests.
"""

from __future__ import annotations

import numpy as np

from .. import conv as core
from ..geometry import Geometry, Pair, check_pad_mode
from . import colprod, separable, slabs
from .filters import filter_planes, passes, strategy
from .gemm import conv2d_gemm

SMALL = 4096  # arrays up to this size are checked by np.isfinite(a).all()


def finite(*arrays: np.ndarray) -> bool:
    """Whether every value is finite: np.isfinite for small arrays (no errstate, ~1 µs), one
    dot product or float32 sum for large ones (slabs.finite_block: no temporary array; an
    overflow to ±∞ only sends finite data to the core path, never the reverse)."""
    for a in arrays:  # a loop of C calls: a small conv is dominated by its Python work
        if not (bool(np.logical_and.reduce(np.isfinite(a), axis=None)) if a.size <= SMALL
                else slabs.finite_block(a)):
            return False
    return True


def channel_factor(Wc: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(alpha (C,), K (FH, FW)) with Wc[c] = alpha[c]·K for every channel, else None."""
    W64 = np.asarray(Wc, np.float64)
    norms = np.abs(W64).reshape(len(W64), -1).max(axis=1)
    p = int(norms.argmax())
    if norms[p] == 0:
        return None
    K = W64[p]
    alpha = (W64 * K).sum(axis=(1, 2)) / (K * K).sum()
    if not np.allclose(alpha[:, None, None] * K, W64, rtol=0, atol=1e-6 * norms[p]):
        return None
    return alpha.astype(np.float32), K.astype(np.float32)


def conv2d(x: np.ndarray, W: np.ndarray, b: np.ndarray | float | None = None, *, stride: Pair = 1,
           pad: Pair = 0, pad_mode: str = "zeros", dilation: Pair = 1) -> np.ndarray:
    """core.conv2d, by the fastest exact path for the shape: (N, C, H, W) → (N, FN, OH, OW)."""
    x, W, g = core.conv_args(x, W, stride, pad, dilation)
    FN = W.shape[0]
    bias = None if b is None else core.bias_vector(b, FN)
    check_pad_mode(pad_mode)  # refused as the core does (a path may not pad at all)
    if FN > 1 and not slabs.applies(g, FN):  # im2col multiplies every tap of every window by
        return conv2d_gemm(x, W, bias, g, pad_mode)  # its weight: NaN/±∞ in x, W or b as the core
    if finite(W):
        if FN > 1:  # every tap of every window multiplied: NaN and ±∞ propagate as in the core
            return slabs.slab_conv(x, W, bias, g, pad_mode)
        out = _single(x, W, bias, g, pad_mode)
        if out is not None:
            return out
    return core.conv2d(x, W, bias, stride=stride, pad=pad, pad_mode=pad_mode, dilation=dilation)


def _single(x: np.ndarray, W: np.ndarray, bias: np.ndarray | None, g: Geometry,
            pad_mode: str) -> np.ndarray | None:
    """One filter W (1, C, FH, FW), finite, by the cheapest path in estimated passes: slabs
    (slabs.py), a column product (colprod.py), a rank-1 kernel's column product and row pass
    (separable.py), shift-and-add (filters.py) or im2col. When every channel's kernel is
    alpha_c·K, the channels are mixed first: Σ_c alpha_c·K ⊛ x_c = K ⊛ (Σ_c alpha_c·x_c),
    C − 1 passes. None when x has a NaN or ±∞ that the path taken would not propagate like
    the core."""
    C, FH, FW = W.shape[1:]
    if not W.all() and not finite(x):  # zero taps (or channels) are skipped: 0·NaN lost
        return None
    fac = channel_factor(W[0]) if C > 1 else None
    mixing = C - 1 if fac else 0
    K = fac[1][None] if fac else W[0]  # the kernel(s) after mixing: (1 or C, FH, FW)
    mix = None if fac is None else fac[0]
    st = strategy(K) if len(K) == 1 and g.stride == (1, 1) else None
    rank1 = None if st is None or st.sep is None else (st.scale, *st.sep)
    cost = {  # estimated passes; the first cheapest is taken
        "slabs": slabs.passes(len(K), FH, FW, g.stride[0]) + mixing if slabs.applies(g)
        else np.inf,
        "colprod": colprod.passes(C, FH, FW) if colprod.applies(g) else np.inf,
        "separable": np.inf if rank1 is None else separable.passes(FH, rank1[2]) + mixing,
        "filters": passes(K, g.stride == (1, 1)) + mixing,
        "gemm": 2 * C * FH * FW,
    }
    path = min(cost, key=lambda k: cost[k])
    try:
        if path == "slabs":
            return slabs.slab_conv(x, K[None], bias, g, pad_mode, mix=mix, strict=True)
        if path == "colprod":
            return colprod.col_conv(x, W, bias, g, pad_mode)
    except slabs.NonFiniteError:
        return None
    if path == "separable" and rank1 is not None:  # a rank-1 kernel: columns, then rows
        scale, cols, rows = rank1
        return separable.sep_planes(x, separable.column(cols, FH, scale), rows, g, pad_mode,
                                    bias, mix=mix)
    if path in ("filters", "separable"):
        return filter_planes(x, K, g, pad_mode, bias, mix=mix)
    return conv2d_gemm(x, W, bias, g, pad_mode)


def depthwise_conv2d(x: np.ndarray, K: np.ndarray, b: np.ndarray | float | None = None, *,
                     stride: Pair = 1, pad: Pair = 0, pad_mode: str = "zeros",
                     dilation: Pair = 1) -> np.ndarray:
    """core.depthwise_conv2d, fast: x (N, C, H, W), K (FH, FW) or (C, FH, FW), b (C,)
    → (N, C, OH, OW)."""
    x, Ks, g = core.depthwise_args(x, K, stride, pad, dilation)
    out = _depthwise(x, Ks, g, pad_mode) if finite(Ks[:1] if Ks.strides[0] == 0 else Ks) else None
    if out is None:
        return core.depthwise_conv2d(x, Ks, b, stride=stride, pad=pad, pad_mode=pad_mode,
                                     dilation=dilation)
    if b is not None:
        out += core.bias_vector(b, x.shape[1])[None, :, None, None]
    return out


def _depthwise(x: np.ndarray, Ks: np.ndarray, g: Geometry, pad_mode: str) -> np.ndarray | None:
    """x (N, C, H, W) with Ks (C, FH, FW) finite → (N, C, OH, OW), no bias; None as _single."""
    N, C, H, Wd = x.shape
    if Ks.strides[0] == 0 or all(np.array_equal(Ks[0], k) for k in Ks[1:]):
        # the C planes are N·C one-channel images
        y = _single(x.reshape(N * C, 1, H, Wd), Ks[0][None, None], None, g, pad_mode)
        return None if y is None else y.reshape(N, C, g.out_h, y.shape[-1])  # maybe a view
    out = np.empty((N, C, g.out_h, g.out_w), np.float32)
    for c in range(C):
        y = _single(x[:, c:c + 1], Ks[c][None, None], None, g, pad_mode)
        if y is None:
            return None
        out[:, c:c + 1] = y
    return out
