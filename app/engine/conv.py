"""conv2d and depthwise_conv2d: validation, then the fastest exact path for the shape.

- one filter (FN = 1) or depthwise: shift-and-add over blocks of rows (filters.py);
- a filter bank: cache-blocked im2col multiplied straight into the output (columns.py).
Both are checked against the naive loops of reference.py by the property tests.
"""

from __future__ import annotations

import numpy as np

from .columns import conv2d_gemm
from .filters import filter_planes, passes
from .geometry import Pair, conv_geometry, f32


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
    if FN == 1 and C > 1 and (fac := channel_factor(W[0])) is not None:
        alpha, K = fac  # Σ_c alpha_c·K ⊛ x_c = K ⊛ (Σ_c alpha_c·x_c): mix the channels first
        return filter_planes(x, K[None], g, pad_mode, bias, mix=alpha)
    if FN == 1 and passes(W[0], g.stride == (1, 1)) <= 2 * C * FH * FW:  # vs im2col's copies
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
        k2 = K if K.ndim == 2 else K[0]
        y = filter_planes(x.reshape(N * C, 1, H, Wd), k2[None], g, pad_mode)
        out = y.reshape(N, C, g.out_h, y.shape[-1])  # a view when filter_planes gave one
    else:
        out = np.empty((N, C, g.out_h, g.out_w), np.float32)
        for c in range(C):
            out[:, c:c + 1] = filter_planes(x[:, c:c + 1], K[c][None], g, pad_mode)
    if b is not None:
        out += _vector(b, C, "b")[None, :, None, None]
    return out
