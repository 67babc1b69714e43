"""conv2d and depthwise_conv2d, the book's way: out = im2col(x) · col_W + b.

The whole column matrix of a 16 MP photo would be 1.7 GB, so `conv2d` builds it a block of
output rows (or of images) at a time: the peak extra memory of one call stays within
1.5 × (input + output). This is the reference path; app/engine/fast/ holds faster ones.
"""

from __future__ import annotations

import numpy as np

from app.cancel import check as checkpoint

from .geometry import Geometry, Pair, conv_geometry, f32, pad2d
from .util import windows_to_col

BLOCK_BYTES = 1 << 20  # column-matrix bytes per block


def check_ndim(x: np.ndarray, name: str, ndim: int) -> None:
    if x.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, not shape {x.shape}")


def bias_vector(b: np.ndarray | float, n: int, name: str = "b") -> np.ndarray:
    """b as a float32 (n,) vector (a scalar is repeated)."""
    v = f32(b).reshape(-1)
    if v.size == 1:
        return np.full(n, v[0], np.float32)
    if v.size != n:
        raise ValueError(f"{name} must have {n} values, not {v.size}")
    return v


def conv_args(x: np.ndarray, W: np.ndarray, stride: Pair, pad: Pair,
              dilation: Pair) -> tuple[np.ndarray, np.ndarray, Geometry]:
    """x, W as float32 with their shapes checked, and the geometry."""
    x, W = f32(x), f32(W)
    check_ndim(x, "x", 4)
    check_ndim(W, "W", 4)
    if x.shape[1] != W.shape[1]:
        raise ValueError(f"input has C={x.shape[1]} channels but the filters have {W.shape[1]}")
    g = conv_geometry(x.shape[2], x.shape[3], W.shape[2], W.shape[3], stride=stride, pad=pad,
                      dilation=dilation)
    return x, W, g


def depthwise_args(x: np.ndarray, K: np.ndarray, stride: Pair, pad: Pair,
                   dilation: Pair) -> tuple[np.ndarray, np.ndarray, Geometry]:
    """x float32 (N, C, H, W); K as float32 (C, FH, FW); the geometry."""
    x, K = f32(x), f32(K)
    check_ndim(x, "x", 4)
    C = x.shape[1]
    if K.ndim not in (2, 3) or (K.ndim == 3 and K.shape[0] != C):
        raise ValueError(f"depthwise kernels must be (FH, FW) or (C={C}, FH, FW), not {K.shape}")
    g = conv_geometry(x.shape[2], x.shape[3], K.shape[-2], K.shape[-1], stride=stride, pad=pad,
                      dilation=dilation)
    return x, np.broadcast_to(K, (C, *K.shape[-2:])), g


def blocks(N: int, out_h: int, per_row: int, io_bytes: int) -> tuple[int, int]:
    """(images, output rows) per block: at most BLOCK_BYTES and 0.45 × (input + output) bytes
    of temporaries (but at least one row), rows spread evenly over the blocks."""
    budget = min(BLOCK_BYTES, max(int(0.45 * io_bytes), per_row))
    rows = max(1, min(out_h, budget // max(per_row, 1)))
    rows = -(-out_h // -(-out_h // rows))
    nb = max(1, min(N, budget // max(per_row * out_h, 1))) if rows == out_h else 1
    return nb, rows


def conv2d(x: np.ndarray, W: np.ndarray, b: np.ndarray | float | None = None, *, stride: Pair = 1,
           pad: Pair = 0, pad_mode: str = "zeros", dilation: Pair = 1) -> np.ndarray:
    """x (N, C, H, W) ⊛ W (FN, C, FH, FW) + b (FN,) → (N, FN, out_h, out_w), float32.

    Cross-correlation (no kernel flip): out[n, f, i, j] = Σ_c,u,v x[n, c, i·S + u·D, j·S + v·D]
    · W[f, c, u, v] + b[f], x padded by P (pad_mode zeros | edge | reflect).
    """
    x, W, g = conv_args(x, W, stride, pad, dilation)
    FN = W.shape[0]
    bias = np.zeros(FN, np.float32) if b is None else bias_vector(b, FN)
    N, out_h, out_w = x.shape[0], g.out_h, g.out_w
    col_W = W.reshape(FN, -1).T  # (C·FH·FW, FN)
    img = pad2d(x, g.pad, pad_mode)
    out = np.empty((N, FN, out_h, out_w), np.float32)
    # bytes per output row: its col rows twice (the book's transpose copies them) and y's row
    per_row = (2 * col_W.shape[0] + FN) * out_w * 4
    nb, rows = blocks(N, out_h, per_row, x.nbytes + out.nbytes)
    sh, reach = g.stride[0], (g.FH - 1) * g.dilation[0] + 1
    for n0 in range(0, N, nb):
        for r0 in range(0, out_h, rows):
            checkpoint()  # a request that timed out (504) stops here, freeing its CPU slot
            R = min(rows, out_h - r0)
            part = img[n0:n0 + nb, :, r0 * sh:(r0 + R - 1) * sh + reach]
            col = windows_to_col(part, g, R)
            with np.errstate(invalid="ignore"):  # 0·NaN and 0·∞ are NaN, as they should be
                y = col @ col_W
            y += bias
            out[n0:n0 + nb, :, r0:r0 + R] = y.reshape(-1, R, out_w, FN).transpose(0, 3, 1, 2)
    return out


def depthwise_conv2d(x: np.ndarray, K: np.ndarray, b: np.ndarray | float | None = None, *,
                     stride: Pair = 1, pad: Pair = 0, pad_mode: str = "zeros",
                     dilation: Pair = 1) -> np.ndarray:
    """Each channel filtered on its own: x (N, C, H, W), K (FH, FW) or (C, FH, FW), b (C,)
    → (N, C, OH, OW); out[:, c] = K[c] ⊛ x[:, c] + b[c] (an RGB photo blurred per channel)."""
    x, Ks, g = depthwise_args(x, K, stride, pad, dilation)
    C = x.shape[1]
    bias = np.zeros(C, np.float32) if b is None else bias_vector(b, C)
    out = np.empty((x.shape[0], C, g.out_h, g.out_w), np.float32)
    for c in range(C):
        out[:, c:c + 1] = conv2d(x[:, c:c + 1], Ks[c][None, None], bias[c:c + 1], stride=stride,
                                 pad=pad, pad_mode=pad_mode, dilation=dilation)
    return out
