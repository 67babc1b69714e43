"""A cache-blocked im2col convolution: the columns in (C·FH·FW + 1, rows) layout, so that one
product [W | b] · [col; 1] per block lands straight in the NCHW output (`np.matmul(..., out=)`),
with no transpose copy and no separate bias pass; strided convs gather from a stride-phase split.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from app.cancel import check as checkpoint

from ..geometry import Geometry, pad2d

BLOCK_BYTES = 1 << 20  # column-matrix block size


def windows(xp: np.ndarray, g: Geometry) -> np.ndarray:
    """A strided view (N, C, FH, FW, OH, OW) of padded xp: [n, c, u, v, i, j] is
    xp[n, c, i·S + u·D, j·S + v·D] (no copy; copying a slice of it is one im2col block)."""
    xp = np.ascontiguousarray(xp)
    sN, sC, sH, sW = xp.strides
    (sh, sw), (dh, dw) = g.stride, g.dilation
    shape = (xp.shape[0], xp.shape[1], g.FH, g.FW, g.out_h, g.out_w)
    return np.ndarray(shape, xp.dtype, xp, 0, (sN, sC, sH * dh, sW * dw, sH * sh, sW * sw))


def phases(x: np.ndarray, g: Geometry, pad_mode: str = "zeros") -> np.ndarray:
    """x padded and split by stride phase: Q (N, C, sh, sw, Hq, Wq) with
    Q[n, c, a, b, i, j] = xp[n, c, i·sh + a, j·sw + b]. Built from x without a padded copy
    (zero padding); with it every window row is a contiguous run, so strided convs gather fast.
    """
    (sh, sw), (ph, pw) = g.stride, g.pad
    N, C, H, W = x.shape
    Hp, Wp = H + 2 * ph, W + 2 * pw
    Hq, Wq = -(-Hp // sh), -(-Wp // sw)
    if pad_mode != "zeros":
        xp = pad2d(x, g.pad, pad_mode)
        Q = np.empty((N, C, sh, sw, Hq, Wq), np.float32)
        for a in range(sh):
            for b in range(sw):
                part = xp[:, :, a::sh, b::sw]
                Q[:, :, a, b, :part.shape[2], :part.shape[3]] = part
        return Q
    Q = np.zeros((N, C, sh, sw, Hq, Wq), np.float32)
    for a in range(sh):
        k0 = max(0, -(-(ph - a) // sh))  # first phase row inside x: a + k0·sh − ph >= 0
        k1 = (H - 1 + ph - a) // sh + 1  # one past the last
        for b in range(sw):
            j0 = max(0, -(-(pw - b) // sw))
            j1 = (W - 1 + pw - b) // sw + 1
            if k1 > k0 and j1 > j0:
                Q[:, :, a, b, k0:k1, j0:j1] = x[:, :, a + k0 * sh - ph::sh, b + j0 * sw - pw::sw][
                    :, :, :k1 - k0, :j1 - j0]
    return Q


def _fill_phases(col: np.ndarray, Q: np.ndarray, g: Geometry, n0: int, r0: int) -> None:
    """col (m, C, FH, FW, R, OW) ← windows of output rows r0.. from the phase split Q.

    Without dilation, the taps u ≡ a (mod sh), v ≡ b (mod sw) all read phase (a, b) at row /
    column offsets 0, 1, 2, …: one strided view of Q covers them, so a block takes sh·sw copies.
    """
    (sh, sw), (dh, dw) = g.stride, g.dilation
    m, R, OW = col.shape[0], col.shape[4], col.shape[5]
    if (dh, dw) != (1, 1):
        for u in range(g.FH):
            qa, a = divmod(u * dh, sh)
            for v in range(g.FW):
                qb, b = divmod(v * dw, sw)
                col[:, :, u, v] = Q[n0:n0 + m, :, a, b, r0 + qa:r0 + qa + R, qb:qb + OW]
        return
    sN, sC, _, _, sH, sW = Q.strides
    for a in range(min(sh, g.FH)):
        for b in range(min(sw, g.FW)):
            nu, nv = len(range(a, g.FH, sh)), len(range(b, g.FW, sw))
            start = Q[n0:n0 + m, :, a, b, r0:, :]  # (m, C, Hq − r0, Wq): its origin and strides
            view = np.lib.stride_tricks.as_strided(
                start, (m, Q.shape[1], nu, nv, R, OW), (sN, sC, sH, sW, sH, sW), writeable=False)
            col[:, :, a::sh, b::sw] = view


def _blocks(N: int, OH: int, per_row: int, io_bytes: int) -> tuple[int, int]:
    """(images, output rows) per block: a column block of about BLOCK_BYTES, and at most
    0.45 × the input + output bytes, so one conv's peak memory stays under 1.5 × (in + out).
    Rows are balanced over the blocks (no tiny last block). Cached: a small conv is dominated
    by its Python work."""
    return _block_sizes(N, OH, per_row, io_bytes, BLOCK_BYTES)


@lru_cache(maxsize=256)
def _block_sizes(N: int, OH: int, per_row: int, io_bytes: int, block: int) -> tuple[int, int]:
    budget = min(block, max(int(0.45 * io_bytes), per_row))
    rows = max(1, min(OH, budget // max(per_row, 1)))
    rows = -(-OH // -(-OH // rows))  # same number of blocks, rows spread evenly
    nb = max(1, min(N, budget // max(per_row * OH, 1))) if rows == OH else 1
    return nb, rows


def conv2d_gemm(x: np.ndarray, W: np.ndarray, b: np.ndarray | None, g: Geometry,
                pad_mode: str = "zeros") -> np.ndarray:
    """x (N, C, H, W) ⊛ W (FN, C, FH, FW) + b → (N, FN, OH, OW), im2col one block at a time.

    Each block's columns (C·FH·FW + 1 rows, the last all ones for the bias) are multiplied by
    [W | b] (FN, C·FH·FW + 1) straight into the output: out = [W | b] · [col; 1].
    """
    N, C = x.shape[:2]
    FN = W.shape[0]
    K, OH, OW = C * g.FH * g.FW, g.out_h, g.out_w
    strided = g.stride != (1, 1)
    Wb = np.empty((FN, K + 1), np.float32)
    Wb[:, :K] = W.reshape(FN, K)
    Wb[:, K] = 0.0 if b is None else b
    if N == 1 and not strided:
        return _conv2d_one(x, Wb, g, pad_mode)
    src = phases(x, g, pad_mode) if strided else windows(pad2d(x, g.pad, pad_mode), g)
    out = np.empty((N, FN, OH, OW), np.float32)
    flat = out.reshape(N, FN, OH * OW)
    nb, rows = _blocks(N, OH, (K + 1) * OW * 4, x.nbytes + out.nbytes)
    buf = np.empty((nb, K + 1, rows * OW), np.float32)
    buf[:, K] = 1.0  # the bias row, set once
    for n0 in range(0, N, nb):
        m = min(nb, N - n0)
        for r0 in range(0, OH, rows):
            checkpoint()  # stops a timed-out request (app/cancel.py)
            R = min(rows, OH - r0)
            col = buf[:m, :, :R * OW]  # (m, K + 1, R·OW), rows strided by rows·OW: BLAS-ready
            cols = col[:, :K].reshape(m, C, g.FH, g.FW, R, OW)
            if strided:
                _fill_phases(cols, src, g, n0, r0)
            else:
                cols[...] = src[n0:n0 + m, ..., r0:r0 + R, :]
            np.matmul(Wb, col, out=flat[n0:n0 + m, :, r0 * OW:(r0 + R) * OW])
    return out


def _conv2d_one(x: np.ndarray, Wb: np.ndarray, g: Geometry, pad_mode: str) -> np.ndarray:
    """conv2d_gemm for one image at stride 1 with the fewest NumPy calls (a small conv is
    dominated by them): per block of rows one im2col copy, from a strided view of the (padded)
    image made for that block, and one product [W | b] · [col; 1] straight into the output.
    (An in-place broadcast `out += b` would allocate a 32 KiB ufunc buffer: the bias row
    avoids it.)"""
    C, FH, FW = x.shape[1], g.FH, g.FW
    FN, K1 = Wb.shape
    OH, OW = g.out_h, g.out_w
    out = np.empty((FN, OH * OW), np.float32)  # (1, FN, OH, OW) at the end
    rows = _blocks(1, OH, K1 * OW * 4, x.nbytes + out.nbytes)[1]
    buf = np.empty((K1, rows * OW), np.float32)
    buf[-1] = 1.0
    xp = np.ascontiguousarray(x if g.pad == (0, 0) else pad2d(x, g.pad, pad_mode))
    _, sC, sH, sW = xp.strides
    (dh, dw), f32 = g.dilation, np.float32
    strides = (sC, sH * dh, sW * dw, sH, sW)
    cols = buf[:-1].reshape(C, FH, FW, rows, OW)  # a full block's im2col, as a view
    for r0 in range(0, OH, rows):
        checkpoint()  # stops a timed-out request (app/cancel.py)
        R = min(rows, OH - r0)
        win = np.ndarray((C, FH, FW, R, OW), f32, xp, r0 * sH, strides)  # windows of rows r0..
        if OH - r0 >= rows:  # a full block
            cols[...] = win
            np.matmul(Wb, buf, out=out[:, r0 * OW:(r0 + R) * OW])
            continue
        col = buf[:, :R * OW]  # the shorter last block
        col[:-1].reshape(C, FH, FW, R, OW)[...] = win
        np.matmul(Wb, col, out=out[:, r0 * OW:(r0 + R) * OW])
    return out.reshape(1, FN, OH, OW)
