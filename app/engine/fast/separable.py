"""Rank-1 kernels K = outer(col, row) (Gaussian, box, Sobel, …): a column pass by BLAS, then a
row pass by shift-and-add.

    v[i, :]   = Σ_u col[u] · x[i − PH + u·DH, :]     one batched product col (1, FH) @ (FH, W)
    out[i, j] = Σ_v row[v] · vp[i, j + v·DW]         vp = v with PW zero columns each side

The column pass reads the input rows in place (no padded copy: the output rows whose taps reach
into the top or bottom padding take one product over just their taps inside the image; with
`mix`, channels are mixed per block first) and writes a cache-sized block of padded rows, or,
when the row pass can run in place (its lone first tap is the centre one, pad = its offset),
straight into the output; the scale of K rides on `col`. The row pass works on flat rows
(filters.accumulate): the result is a view of an (N, 1, OH, Wp) array, columns ≥ OW being
scratch. The product multiplies every column tap inside the image (0·NaN = NaN, as the core);
zero row taps are skipped, so a kernel with a zero is checked by the caller as for filters.py.
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
    R = -(-OH // -(-OH // (R + R // 32)))  # rows spread evenly (a block ≤ 3 % over budget)
    # a lone weighted tap first: its multiply writes the output, the other taps add into it
    rows = sorted(rows, key=lambda grp: not (len(grp[1]) == 1 and abs(grp[0]) != 1))
    # in place when that lone tap reads the output's own position (k·DW = PW: the centre tap
    # of a Gaussian, pad 1): the column pass writes straight into the output (rows at pitch Wp,
    # PW zero columns between them; no block of padded rows, the output written in the pass
    # that reads the input), then the row pass updates it (_in_place)
    lone = bool(rows) and len(rows[0][1]) == 1 and rows[0][1][0] * dw == pw
    lead = pw if lone else 0
    buf = np.empty(lead + N * OH * Wp, np.float32)
    wide = buf[lead:].reshape(N, 1, OH, Wp)
    spare = (g.FW - 1) * dw + 1
    v = buf if lone else np.zeros(R * Wp + spare, np.float32)  # pad columns stay 0
    t = np.empty((2 if lone else 1) * R * Wp, np.float32)
    buf[:lead] = 0.0
    mixer = None if mix is None else _Mixer(x, mix, R + reach)
    it = x.itemsize
    for n in range(N):
        xs = x[n, 0]
        for r0 in range(0, OH, R):
            checkpoint()  # stops a timed-out request (app/cancel.py)
            r = min(R, OH - r0)
            top = r0 - ph  # input row of output row r0's first tap
            lo, hi = max(top, 0), min(top + r + reach, H)
            src = xs[lo:hi] if mixer is None or hi <= lo else mixer(n, lo, hi)[0]
            # where output row r0's W columns of the column pass go in v
            base = lead + (n * OH + r0) * Wp if lone else pw
            # rows a … b − 1 have all FH taps inside the image: the FH rows of output row i
            # as one (FH, W) matrix, rows i, i + DH, … read in place; the others (_edge_rows)
            # by their taps inside the image
            a = min(r, max(0, -top))
            b = max(a, min(r, H - reach - top))
            if b > a:
                M = np.ndarray((b - a, FH, Wd), np.float32, src, (top + a - lo) * Wd * it,
                               (Wd * it, dh * Wd * it, it))
                np.matmul(col, M, out=_rows(v, base + a * Wp, b - a, Wd, Wp))
            for i0, i1 in ((0, a), (b, r)):
                if i1 > i0:
                    _edge_rows(_rows(v, base + i0 * Wp, i1 - i0, Wd, Wp), col, src,
                               top + i0 - lo, H - lo, dh)
            if not lone:
                L = r * Wp
                accumulate(wide[n, 0, r0:r0 + r].reshape(-1), t[:L], rows,
                           partial(_flat, v, dw, L, 0))
                continue
            wide[n, 0, r0:r0 + r, Wd:] = 0.0  # the zero columns, after the product's rows
            _in_place(buf, base, (r - 1) * Wp + OW, rows, dw, pw, t)
    if bias is not None:
        wide += np.float32(np.asarray(bias).ravel()[0])
    return wide[..., :OW]


def _in_place(buf: np.ndarray, start: int, L: int, rows: Groups, dw: int, pw: int,
              t: np.ndarray) -> None:
    """o = buf[start:start + L] ← Σ_(w, taps) w·Σ_k buf[start + k·DW − PW:][:L], in place: the
    first group is one tap reading o itself (k·DW = PW), so o ← c0·o + Σ_rest, the rest summed
    into t (scratch of 2·L or more) before o is written."""
    o = buf[start:start + L]
    (c0, _), rest = rows[0], rows[1:]
    if rest:
        half = t.size // 2
        accumulate(t[:L], t[half:half + L], rest, partial(_flat, buf, dw, L, start - pw))
    if c0 != 1:
        np.multiply(o, np.float32(c0), out=o)
    if rest:
        np.add(o, t[:L], out=o)


def _rows(v: np.ndarray, start: int, n: int, Wd: int, pitch: int) -> np.ndarray:
    """(n, 1, W) view of the flat v: row i is v[start + i·pitch:][:W] (a product's out)."""
    it = v.itemsize
    return np.ndarray((n, 1, Wd), np.float32, v, start * it, (pitch * it, it, it))


def _edge_rows(out: np.ndarray, col: np.ndarray, src: np.ndarray, y0: int, end: int,
               dh: int) -> None:
    """out (n, 1, W) ← Σ_u col[0, u]·src[y0 + i + u·DH] for the n output rows whose taps reach
    into the padding: one product per row over its taps inside rows 0 … end − 1 of src (the
    others read zeros; the weights are finite, so skipping them changes nothing)."""
    FH = col.shape[1]
    for i in range(out.shape[0]):
        y = y0 + i
        u0, u1 = max(0, -(y // dh)), min(FH, (end - 1 - y) // dh + 1)
        if u1 <= u0:
            out[i] = 0.0
        else:
            np.matmul(col[:, u0:u1], src[y + u0 * dh:y + (u1 - 1) * dh + 1:dh], out=out[i])


def _flat(v: np.ndarray, step: int, L: int, start: int, k: int) -> np.ndarray:
    return v[start + k * step:start + k * step + L]
