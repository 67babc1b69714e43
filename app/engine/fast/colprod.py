"""One filter over C channels by a column product, then FW shifted adds (stride 1, DH = 1).

A block of padded input rows is copied once into buf (rows, C, Wp), channels interleaved per
row, so the FH·C rows (u, c) ↦ buf[i + u, c, :] of output row i form a VIEW with the constant
row stride Wp. G output rows share one product with a block-Toeplitz weight matrix:

    T[i + g, v, :] = Σ_(u, c) W[c, u, v] · buf[i + g + u, c, :]   (G·FW, (G + FH − 1)·C) @ view
    out[i, j]      = Σ_v T[i, v, j + v·DW]                          FW − 1 adds, in cache

That is one copy of each input element (slabs.py copies it C·FW times) and (G + FH − 1)/FH
times the useful multiply-adds. The Toeplitz zeros would spread a NaN or ±∞ to the other rows
of its group (0·NaN = NaN), so each block of copied rows is checked in cache
(slabs.finite_block) and NonFiniteError sends the caller to the core path.
"""

from __future__ import annotations

import numpy as np

from app.cancel import check as checkpoint

from ..geometry import Geometry, pad2d
from .slabs import NonFiniteError, finite_block

BLOCK_BYTES = 1 << 20  # one block of copied input rows (C·Wp floats per row); T is as large
G = 2  # output rows per product


def applies(g: Geometry) -> bool:
    """Stride 1 and no dilation between filter rows (the view needs a constant row stride)."""
    return g.stride == (1, 1) and g.dilation[0] == 1


def passes(C: int, FH: int, FW: int) -> float:
    """Estimated cost in filters.passes units, fitted on 1024² images (C = 1, 3; 3×3, 5×5):
    ~2.5 of fixed work (output, calls), the copy (~0.4 per channel), the product (~0.2 per
    multiply-add of a row group per pixel) and the FW − 1 shifted adds (~0.6 each)."""
    return 2.5 + 0.4 * C + 0.2 * FW * C * (FH + G - 1) + 0.6 * (FW - 1)


def toeplitz(Wc: np.ndarray, rows: int) -> np.ndarray:
    """Wc (C, FH, FW) as (rows·FW, (rows + FH − 1)·C): row (g, v) applies tap column v of Wc
    to buffer rows g … g + FH − 1, each row's C channels in turn."""
    C, FH, FW = Wc.shape
    Wg = np.zeros((rows, FW, rows + FH - 1, C), np.float32)
    for g in range(rows):
        Wg[g, :, g:g + FH] = Wc.transpose(2, 1, 0)
    return Wg.reshape(rows * FW, -1)


def col_conv(x: np.ndarray, W: np.ndarray, bias: np.ndarray | None, g: Geometry,
             mode: str = "zeros") -> np.ndarray:
    """x (N, C, H, W) ⊛ W (1, C, FH, FW) + bias (1,) → (N, 1, OH, OW) float32, for applies(g).

    Raises NonFiniteError when the input holds a NaN or ±∞ (checked block by block)."""
    if mode != "zeros":
        x = pad2d(x, g.pad, mode)
    ph, pw = (0, 0) if mode != "zeros" else g.pad
    N, C, H, Wd = x.shape
    _, _, FH, FW = W.shape
    dw = g.dilation[1]
    OH, OW = g.out_h, g.out_w
    Wp = Wd + 2 * pw
    R = max(1, min(OH, BLOCK_BYTES // (4 * C * Wp) - FH + 1))
    rows = min(G, R)
    R -= R % rows
    Wg, W1 = toeplitz(W[0], rows), toeplitz(W[0], 1)
    buf = np.zeros((R + FH - 1, C, Wp), np.float32)
    T = np.empty((R, FW, Wp), np.float32)
    out = np.empty((N, 1, OH, OW), np.float32)
    s = buf.strides
    for n in range(N):
        for r0 in range(0, OH, R):
            checkpoint()  # stops a timed-out request (app/cancel.py)
            r = min(R, OH - r0)
            need = r + FH - 1
            top = r0 - ph  # image row of buffer row 0
            lo, hi = max(top, 0), min(top + need, H)
            a = min(lo - top, need)
            buf[:a] = 0.0
            buf[max(a, hi - top):need] = 0.0
            if hi > lo:
                buf[lo - top:hi - top, :, pw:pw + Wd] = x[n, :, lo:hi].transpose(1, 0, 2)
                if not finite_block(buf[lo - top:hi - top]):
                    raise NonFiniteError
            q = r // rows
            M = np.ndarray((q, Wg.shape[1], Wp), np.float32, buf, 0, (rows * s[0], s[1], s[2]))
            np.matmul(Wg, M, out=T[:q * rows].reshape(q, rows * FW, Wp))
            if q * rows < r:
                M = np.ndarray((r - q * rows, FH * C, Wp), np.float32, buf, q * rows * s[0],
                               (s[0], s[1], s[2]))
                np.matmul(W1, M, out=T[q * rows:r])
            o = out[n, 0, r0:r0 + r]
            if FW == 1:
                o[...] = T[:r, 0, :OW]
            else:
                np.add(T[:r, 0, :OW], T[:r, 1, dw:dw + OW], out=o)
            for v in range(2, FW):
                np.add(o, T[:r, v, v * dw:v * dw + OW], out=o)
    if bias is not None:
        out += np.float32(np.asarray(bias).ravel()[0])
    return out
