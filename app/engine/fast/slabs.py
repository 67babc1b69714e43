"""Convolution by row slabs: FW shifted copies of the input rows and one matrix product per row.

For a block of input rows the slab S (rows, C, FW, OW) holds S[ρ, c, v, j] = xp[c, ρ, j·SW + v·DW]
(xp padded; padding is written as zeros, never copied). With DH = 1, the column matrix of output
row i is then a *view* of S with constant strides: M_i[k, j] = S[i·SH + u, c, v, j] for
k = (u·C + c)·FW + v, because that element sits at ((i·SH + u)·C + c)·FW + v rows of OW — a
(C·FH·FW, OW) matrix with row stride OW, which BLAS takes as it is. So every input element is
copied FW times (im2col copies it FH·FW times) and one batched product does the rest:

    out[n, :, i, :] = W' (FN, FH·C·FW) @ M_i (FH·C·FW, OW),   W' = W transposed to (FN, u, c, v),

written straight into the NCHW output by `np.matmul(W', M, out=)` over a block of rows. One
filter (FN = 1) takes ROWS output rows per product instead, with a block-Toeplitz W' (ROWS, ·):
the slab rows those output rows share are then read once. Blocks of about SLAB_BYTES stay in L2.
"""

from __future__ import annotations

import numpy as np

from app.cancel import check as checkpoint

from ..geometry import Geometry, pad2d
from .filters import accumulate, plan

SLAB_BYTES = 1 << 20  # slab block size: with its output rows it stays in L2 (2 MiB here)
ROWS = 4  # one filter: output rows per product (the slab rows they share are read once)
MIN_OW = 64  # a filter bank takes one product per output row: narrower rows go to im2col


def applies(g: Geometry, FN: int = 1) -> bool:
    """Whether the slab form exists for this geometry (no dilation between filter rows) and
    pays off (one filter; or output rows of at least MIN_OW for a filter bank)."""
    return g.dilation[0] == 1 and (FN == 1 or g.out_w >= MIN_OW)


def passes(C: int, FH: int, FW: int, sh: int = 1) -> float:
    """Estimated cost of one filter by slabs, in whole-output NumPy add passes (the unit of
    filters.passes), measured on 1024² images: C·FW·SH slab copies (~0.5 pass each), the
    product (~0.35 pass per tap) and ~1.35 passes of fixed work (output, zero rows, calls)."""
    return 0.5 * C * FW * sh + 0.35 * C * FH * FW + 1.35


def _col_range(v: int, g: Geometry, W: int) -> tuple[int, int]:
    """Output columns j with 0 <= j·SW + v·DW − PW < W (the rest read the zero padding)."""
    sw, dw, pw = g.stride[1], g.dilation[1], g.pad[1]
    lo = max(0, -(-(pw - v * dw) // sw))
    hi = min(g.out_w, (W - 1 + pw - v * dw) // sw + 1)
    return lo, max(lo, hi)


def slab_conv(x: np.ndarray, W: np.ndarray, b: np.ndarray | None, g: Geometry,
              pad_mode: str = "zeros", mix: np.ndarray | None = None,
              strict: bool = False) -> np.ndarray:
    """x (N, C, H, W) ⊛ W (FN, C, FH, FW) + b (FN,) → (N, FN, OH, OW) float32, for DH = 1.

    With `mix` (C,) and W (1, 1, FH, FW): W ⊛ Σ_c mix[c]·x[:, c], the channels mixed per block.
    `strict`: raises NonFiniteError as soon as a block of input rows (read, so in cache) holds
    a NaN or ±∞ — one filter's block-Toeplitz product would spread it to neighbouring rows."""
    if pad_mode != "zeros":
        x = pad2d(x, g.pad, pad_mode)
        g = Geometry(**{**g.__dict__, "pad": (0, 0), "H": x.shape[-2], "W": x.shape[-1]})
    N, _, H, Wd = x.shape
    FN, C, FH, FW = W.shape  # C = 1 when mixing
    (sh, sw), dw, ph = g.stride, g.dilation[1], g.pad[0]
    OH, OW = g.out_h, g.out_w
    K = FH * C * FW
    Wk = np.ascontiguousarray(W.transpose(0, 2, 1, 3), np.float32).reshape(FN, K)
    per_row = sh * C * FW * OW * 4
    budget = min(SLAB_BYTES, int(0.45 * (x.nbytes + N * FN * OH * OW * 4)))  # peak memory
    R = max(1, min(OH, (budget - (FH - sh) * C * FW * OW * 4) // per_row))
    R = -(-OH // -(-OH // R))  # balanced blocks
    if FN == 1 and R >= ROWS:
        R -= R % ROWS
    span = (R - 1) * sh + FH
    S = np.zeros((span, C, FW, OW), np.float32)
    ranges = [_col_range(v, g, Wd) for v in range(FW)]
    Wg = _row_group(Wk.reshape(FH, C, FW), ROWS, sh) if FN == 1 else None
    out = np.empty((N, FN, OH, OW), np.float32)
    mixer = None if mix is None else _Mixer(x, mix, span)
    for n in range(N):
        dst = out[n].transpose(1, 0, 2)  # (OH, FN, OW)
        for r0 in range(0, OH, R):
            checkpoint()  # stops a timed-out request (app/cancel.py)
            r = min(R, OH - r0)
            need = (r - 1) * sh + FH
            top = r0 * sh - ph  # image row of slab row 0
            lo, hi = max(top, 0), min(top + need, H)
            a = min(lo - top, need)
            S[:a] = 0.0
            S[max(a, hi - top):need] = 0.0
            if hi > lo:
                rows = x[n, :, lo:hi] if mixer is None else mixer(n, lo, hi)  # (C, hi − lo, W)
                if strict and not finite_block(rows):
                    raise NonFiniteError
                for v, (j0, j1) in enumerate(ranges):
                    if j1 > j0:
                        c0 = j0 * sw + v * dw - g.pad[1]
                        src = rows[:, :, c0:c0 + (j1 - j0 - 1) * sw + 1:sw]
                        S[lo - top:hi - top, :, v, j0:j1] = src.transpose(1, 0, 2)
            _product(S, Wk, Wg, out[n], r0, r, sh)
            if b is not None:
                dst[r0:r0 + r] += b[:, None]
    return out


class NonFiniteError(ValueError):
    """A strict slab_conv met a NaN or ±∞ in its input (the caller takes the core path)."""


def finite_block(a: np.ndarray) -> bool:
    """Whether a holds no NaN or ±∞: one BLAS dot product a·a when a is contiguous (about twice
    as fast as a float32 sum), else a float32 sum. NaN and ±∞ make either NaN or ∞; an overflow
    (|a| beyond ~1e19 for the dot) only says False, which sends finite data to the core path."""
    with np.errstate(over="ignore", invalid="ignore"):
        if a.flags.c_contiguous:
            f = a.reshape(-1)
            return bool(np.isfinite(np.dot(f, f)))
        return bool(np.isfinite(np.add.reduce(a, axis=None, dtype=np.float32)))


class _Mixer:
    """Σ_c mix[c]·x[n, c, lo:hi] into a reused block buffer (taps of equal weight summed first,
    weights ±1 without a multiply: filters.accumulate)."""

    def __init__(self, x: np.ndarray, mix: np.ndarray, span: int) -> None:
        self.x, self.groups = x, plan(mix)
        self.buf = np.empty((2, span * x.shape[-1]), np.float32)

    def __call__(self, n: int, lo: int, hi: int) -> np.ndarray:
        m, xs = (hi - lo) * self.x.shape[-1], self.x[n]
        o = self.buf[0, :m]
        accumulate(o, self.buf[1, :m], self.groups, lambda c: xs[c, lo:hi].reshape(-1))
        return o.reshape(1, hi - lo, -1)


def _row_group(Kr: np.ndarray, G: int, sh: int) -> np.ndarray:
    """One filter Kr (FH, C, FW) as a (G, ((G − 1)·SH + FH)·C·FW) block-Toeplitz matrix whose
    row g applies Kr to slab rows g·SH … g·SH + FH − 1: G output rows from one product."""
    FH, C, FW = Kr.shape
    Wg = np.zeros((G, (G - 1) * sh + FH, C, FW), np.float32)
    for g in range(G):
        Wg[g, g * sh:g * sh + FH] = Kr
    return Wg.reshape(G, -1)


def _product(S: np.ndarray, Wk: np.ndarray, Wg: np.ndarray | None, out: np.ndarray, r0: int,
             r: int, sh: int) -> None:
    """out (FN, OH, OW) rows r0 … r0 + r − 1 ← Wk @ (column views of the slab S).

    The column matrix of slab-relative output row i is S viewed from row i·SH with row stride
    OW; with Wg (one filter), G rows at a time take one product with Wg instead."""
    K, OW = Wk.shape[1], S.shape[-1]
    sS = S.strides
    done = 0
    if Wg is not None and r >= Wg.shape[0]:
        G, KG = Wg.shape
        q = r // G
        M = np.ndarray((q, KG, OW), np.float32, S, 0, (G * sh * sS[0], sS[2], sS[3]))
        np.matmul(Wg, M, out=out[0, r0:r0 + q * G].reshape(q, G, OW))
        done = q * G
    if done < r:
        M = np.ndarray((r - done, K, OW), np.float32, S, done * sh * sS[0],
                       (sh * sS[0], sS[2], sS[3]))
        np.matmul(Wk, M, out=out[:, r0 + done:r0 + r].transpose(1, 0, 2))
