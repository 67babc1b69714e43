"""Rank-1 kernels K = outer(col, row) (Gaussian, box, Sobel, …): a column pass by BLAS, then a
row pass by shift-and-add.

    v[i, :]   = Σ_u col[u] · x[i − PH + u·DH, :]     one batched product col (1, FH) @ (FH, W)
    out[i, j] = Σ_v row[v] · vp[i, j + v·DW]         vp = v with PW zero columns each side

The column pass reads the input rows in place (no padded copy: only the output rows whose taps
reach into the top or bottom padding read a zero-padded copy of the few input rows they need; with
`mix`, channels are mixed per block first) and writes a cache-sized block of padded rows; the
scale of K rides on `col`, so the row pass has its first weight 1. The row pass works on flat
rows (filters.accumulate): the result is a view of an (N, 1, OH, Wp) array, columns ≥ OW being
scratch. The product multiplies every column tap (0·NaN = NaN, as the core); zero row taps are
skipped, so a kernel with a zero is checked by the caller as for filters.py.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from app.cancel import check as checkpoint

from ..geometry import Geometry, pad2d
from .filters import Groups, accumulate, cost
from .slabs import _Mixer

BLOCK_BYTES = 2 << 20  # one block of padded rows (the row pass's scratch is as large)
L2_BLOCK_BYTES = 256 << 10  # the same when a block is read back many times: it stays in L2
SHORT = 3  # row passes (filters.cost) up to which a block is read back few times


def passes(FH: int, rows: Groups) -> float:
    """Estimated cost in filters.passes units (≈ one add over the output): the product ~1.2
    + 0.1·FH (1024² images), the row pass's adds, ~0.5 of fixed work."""
    return 1.7 + 0.1 * FH + cost(rows)


def column(cols: Groups, FH: int, scale: float) -> np.ndarray:
    """The column weights (1, FH) float32 from their groups, times scale (dropped taps are 0)."""
    c = np.zeros((1, FH), np.float32)
    for w, ix in cols:
        c[0, ix] = w
    return c * np.float32(scale)


def sep_planes(x: np.ndarray, col: np.ndarray, rows: Groups, g: Geometry, mode: str = "zeros",
               bias: np.ndarray | None = None, mix: np.ndarray | None = None) -> np.ndarray:
    """x (N, 1, H, W) ⊛ outer(col[0], row) → (N, 1, OH, OW) float32, stride 1.

    `rows` are the row weights' groups (filters.plan); `col` (1, FH) carries any scale.
    With `mix` (C,) and x (N, C, H, W): the plane Σ_c mix[c]·x[:, c], mixed per block."""
    if mode != "zeros":
        x = pad2d(x, g.pad, mode)
    x = np.ascontiguousarray(x, np.float32)
    ph, pw = (0, 0) if mode != "zeros" else g.pad
    N, _, H, Wd = x.shape
    FH, (dh, dw) = g.FH, g.dilation
    OH, OW = g.out_h, g.out_w
    Wp = Wd + 2 * pw
    reach = (FH - 1) * dh  # extra input rows one block of output rows reads
    # few large blocks (less per-block overhead), unless mixing or a long row pass reads each
    # block many times
    short = mix is None and cost(rows) <= SHORT
    block = BLOCK_BYTES if short else min(BLOCK_BYTES, L2_BLOCK_BYTES)
    budget = min(block, int(0.225 * (x.nbytes + 4 * N * OH * Wp)))  # peak memory
    R = max(1, min(OH, budget // (4 * Wp)))
    spare = (g.FW - 1) * dw + 1
    v = np.zeros(R * Wp + spare, np.float32)  # the padded rows; pad columns stay 0
    t = np.empty(R * Wp, np.float32)
    mixer = None if mix is None else _Mixer(x, mix, R + reach)
    wide = np.empty((N, 1, OH, Wp), np.float32)
    it = x.itemsize
    # a lone weighted tap first: its multiply writes the output, the other taps add into it
    rows = sorted(rows, key=lambda grp: not (len(grp[1]) == 1 and abs(grp[0]) != 1))
    for n in range(N):
        xs = x[n, 0]
        for r0 in range(0, OH, R):
            checkpoint()  # stops a timed-out request (app/cancel.py)
            r = min(R, OH - r0)
            top = r0 - ph  # input row of output row r0's first tap
            lo, hi = max(top, 0), min(top + r + reach, H)
            src = xs[lo:hi] if mixer is None or hi <= lo else mixer(n, lo, hi)[0]
            # rows a … b − 1 have all FH taps inside the image: the FH rows of output row i
            # as one (FH, W) matrix, rows i, i + DH, … read in place; the others (_edge_rows)
            # from a zero-padded copy of the few input rows they read
            a = min(r, max(0, -top))
            b = max(a, min(r, H - reach - top))
            if b > a:
                M = np.ndarray((b - a, FH, Wd), np.float32, src, (top + a - lo) * Wd * it,
                               (Wd * it, dh * Wd * it, it))
                np.matmul(col, M, out=np.ndarray((b - a, 1, Wd), np.float32, v,
                                                 (a * Wp + pw) * it, (Wp * it, it, it)))
            for i0, i1 in ((0, a), (b, r)):
                if i1 > i0:
                    _edge_rows(v[i0 * Wp:i1 * Wp], col, src, top + i0 - lo, H - lo, dh, pw)
            L = r * Wp
            accumulate(wide[n, 0, r0:r0 + r].reshape(-1), t[:L], rows,
                       partial(_flat, v, dw, L))
    if bias is not None:
        wide += np.float32(np.asarray(bias).ravel()[0])
    return wide[..., :OW]


def _edge_rows(vb: np.ndarray, col: np.ndarray, src: np.ndarray, y0: int, end: int, dh: int,
               pw: int) -> None:
    """vb (n padded rows of W + 2·PW, flat): vb[i, PW:PW + W] ← Σ_u col[0, u]·src[y0 + i + u·DH]
    for the n output rows whose taps reach into the padding: one product over a zero-padded
    copy of just the input rows they read (rows outside 0 … end − 1 of src are zeros)."""
    FH, Wd = col.shape[1], src.shape[1]
    n = vb.size // (Wd + 2 * pw)
    reach = (FH - 1) * dh
    rows = np.zeros((n + reach, Wd), np.float32)
    lo, hi = max(y0, 0), min(y0 + n + reach, end)
    if hi > lo:
        rows[lo - y0:hi - y0] = src[lo:hi]
    it = rows.itemsize
    M = np.ndarray((n, FH, Wd), np.float32, rows, 0, (Wd * it, dh * Wd * it, it))
    np.matmul(col, M, out=np.ndarray((n, 1, Wd), np.float32, vb, pw * it,
                                     ((Wd + 2 * pw) * it, it, it)))


def _flat(v: np.ndarray, step: int, L: int, k: int) -> np.ndarray:
    return v[k * step:k * step + L]
