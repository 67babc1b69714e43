"""conv2d and depthwise_conv2d: validation, then the fastest exact path for the shape.

- one filter (FN = 1) or depthwise: the cheaper (estimated passes) of row slabs (slabs.py: FW
  shifted row copies, one BLAS product per ROWS output rows) and shift-and-add (filters.py);
- a filter bank: row slabs when output rows are at least slabs.MIN_OW wide (one product per
  output row), else cache-blocked im2col multiplied straight into the output (columns.py).
All are checked against the naive loops of reference.py by the property tests.
"""

from __future__ import annotations

import numpy as np

from . import slabs
from .columns import conv2d_gemm
from .filters import filter_planes, passes
from .geometry import Geometry, Pair, conv_geometry, f32


def _check(x: np.ndarray, name: str, ndim: int) -> None:
    if x.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, not shape {x.shape}")


def _vector(b: np.ndarray | float, n: int, name: str) -> np.ndarray:
    """b as a float32 (n,) vector (a scalar is repeated)."""
    v = f32(b).reshape(-1)
    if v.size == 1:
        return np.full(n, v[0], np.float32)
    if v.size != n:
        raise ValueError(f"{name} must have {n} values, not {v.size}")
    return v


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
    """x (N, C, H, W) ⊛ W (FN, C, FH, FW) + b (FN,) → (N, FN, out_h, out_w), float32.

    Cross-correlation (no kernel flip): out[n, f, i, j] = Σ_c,u,v x[n, c, i·S + u·D, j·S + v·D]
    · W[f, c, u, v] + b[f], x padded by P (pad_mode zeros | edge | reflect).
    """
    x, W = f32(x), f32(W)
    _check(x, "x", 4)
    _check(W, "W", 4)
    N, C, H, Wd = x.shape
    FN, C2, FH, FW = W.shape
    if C != C2:
        raise ValueError(f"input has C={C} channels but the filters have {C2}")
    g = conv_geometry(H, Wd, FH, FW, stride=stride, pad=pad, dilation=dilation)
    bias = None if b is None else _vector(b, FN, "b")
    if FN == 1:
        return _single(x, W, bias, g, pad_mode)
    if slabs.applies(g, FN):
        return slabs.slab_conv(x, W, bias, g, pad_mode)
    return conv2d_gemm(x, W, bias, g, pad_mode)


def _single(x: np.ndarray, W: np.ndarray, bias: np.ndarray | None, g: Geometry,
            pad_mode: str) -> np.ndarray:
    """One filter W (1, C, FH, FW) by the cheapest path in estimated passes: slabs (slabs.py),
    shift-and-add (filters.py) or im2col. When every channel's kernel is alpha_c·K, the
    channels are mixed first: Σ_c alpha_c·K ⊛ x_c = K ⊛ (Σ_c alpha_c·x_c), C − 1 passes."""
    C, FH, FW = W.shape[1:]
    sh = g.stride[0]
    fac = channel_factor(W[0]) if C > 1 else None
    mixing = C - 1 if fac else 0
    shift = passes(fac[1][None] if fac else W[0], g.stride == (1, 1)) + mixing
    slab = slabs.passes(1 if fac else C, FH, FW, sh) + mixing
    if slabs.applies(g) and slab <= min(shift, 2 * C * FH * FW):
        if fac is not None:
            return slabs.slab_conv(x, fac[1][None, None], bias, g, pad_mode, mix=fac[0])
        return slabs.slab_conv(x, W, bias, g, pad_mode)
    if fac is not None:
        return filter_planes(x, fac[1][None], g, pad_mode, bias, mix=fac[0])
    if shift <= 2 * C * FH * FW:  # vs im2col's copies
        return filter_planes(x, W[0], g, pad_mode, bias)
    return conv2d_gemm(x, W, bias, g, pad_mode)


def depthwise_conv2d(x: np.ndarray, K: np.ndarray, b: np.ndarray | float | None = None, *,
                     stride: Pair = 1, pad: Pair = 0, pad_mode: str = "zeros",
                     dilation: Pair = 1) -> np.ndarray:
    """Each channel filtered on its own: x (N, C, H, W), K (FH, FW) or (C, FH, FW), b (C,)
    → (N, C, OH, OW); out[:, c] = K[c] ⊛ x[:, c] + b[c] (an RGB photo blurred per channel)."""
    x, K = f32(x), f32(K)
    _check(x, "x", 4)
    N, C, H, Wd = x.shape
    if K.ndim not in (2, 3) or (K.ndim == 3 and K.shape[0] != C):
        raise ValueError(f"depthwise kernels must be (FH, FW) or (C={C}, FH, FW), not {K.shape}")
    g = conv_geometry(H, Wd, K.shape[-2], K.shape[-1], stride=stride, pad=pad, dilation=dilation)
    if K.ndim == 2 or all(np.array_equal(K[0], k) for k in K[1:]):
        k2 = K if K.ndim == 2 else K[0]  # the C planes are N·C one-channel images
        y = _single(x.reshape(N * C, 1, H, Wd), k2[None, None], None, g, pad_mode)
        out = y.reshape(N, C, g.out_h, y.shape[-1])  # a view when filter_planes gave one
    else:
        out = np.empty((N, C, g.out_h, g.out_w), np.float32)
        for c in range(C):
            out[:, c:c + 1] = _single(x[:, c:c + 1], K[c][None, None], None, g, pad_mode)
    if b is not None:
        out += _vector(b, C, "b")[None, :, None, None]
    return out
