"""A rank-1 kernel with zero "same" padding, straight from the image rows (no padded copy).

K = outer(col, row), OW = W (2·PW = (FW − 1)·DW): the row pass reads each block of image rows
as one flat run, hh[j] = Σ_v row[v] · x_flat[j + v·DW − PW], so every tap is a contiguous 1-D
slice; the column pass adds whole rows of hh (rows above and below the image are zeros). Taps
that run off the left or right edge wrap into the neighbouring row; that touches only the
PW outermost output columns on each side, which are recomputed at the end on narrow strips.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from ..geometry import Geometry

Groups = list[tuple[float, list[int]]]
Accumulate = Callable[[np.ndarray, np.ndarray, Groups, Callable[[int], np.ndarray]], None]


def applies(g: Geometry, mode: str, W: int) -> bool:
    """Whether separable_same can run this geometry (stride 1, zero padding, OW = W)."""
    pw = g.pad[1]
    return (g.stride == (1, 1) and mode == "zeros" and g.out_w == W and pw >= 1
            and 2 * pw + 1 <= W)


def _slice(s: np.ndarray, start: int, step: int, L: int, k: int) -> np.ndarray:
    return s[start + k * step:start + k * step + L]


def separable_same(x: np.ndarray, cols: Groups, rows: Groups, scale: float, g: Geometry,
                   accumulate: Accumulate, block_bytes: int) -> np.ndarray:
    """(N, 1, OH, W) = scale · cols ⊛ (rows ⊛ x) for x (N, 1, H, W), bulk of the image only:
    the PW outermost columns on each side are left for the caller to recompute."""
    N, _, H, W = x.shape
    OH = g.out_h
    (ph, pw), (dh, dw) = g.pad, g.dilation
    cg = [(c * scale, ix) for c, ix in cols]
    R = max(1, min(OH, block_bytes // (4 * W)))
    span = R + (g.FH - 1) * dh
    hh = np.zeros(span * W, np.float32)
    t = np.empty(span * W, np.float32)
    out = np.empty((N, 1, OH, W), np.float32)
    x = np.ascontiguousarray(x)
    for n in range(N):
        xf = x[n, 0].reshape(-1)
        for r0 in range(0, OH, R):
            r = min(R, OH - r0)
            need = r + (g.FH - 1) * dh  # input rows r0 − PH … r0 − PH + need − 1
            lo, hi = max(r0 - ph, 0), min(r0 - ph + need, H)
            qa = lo - (r0 - ph)  # hh row of input row lo
            hh[:qa * W] = 0.0
            hh[(qa + max(hi - lo, 0)) * W:need * W] = 0.0
            if hi > lo:
                L = (hi - lo) * W - 2 * pw  # from (lo, PW) on: every tap stays inside x
                dst = hh[qa * W + pw:qa * W + pw + L]
                accumulate(dst, t[:L], rows, partial(_slice, xf, lo * W, dw, L))
            o = out[n, 0, r0:r0 + r].reshape(-1)
            accumulate(o, t[:r * W], cg, partial(_slice, hh, 0, dh * W, r * W))
    return out
