"""Single-filter image filtering by shift-and-add: out = Σ_(u,v) K[u, v] · x[u·D :, v·D :].

The fast path for one kernel on an image (a blur on a photo; depthwise; C → FN = 1). Taps with
the same weight are summed before one multiply, weights ±1 need no multiply, zero taps are
skipped, and a rank-1 kernel (box, Gaussian, Sobel, …) runs as a row pass then a column pass.
The image is processed in blocks of rows of about BLOCK_BYTES, so each pass stays in cache;
with zero padding each block is padded on the fly (no padded copy of the whole image).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, partial
from typing import NamedTuple

import numpy as np

from app.cancel import check as checkpoint

from ..geometry import Geometry, pad2d

BLOCK_BYTES = 256 << 10
Groups = list[tuple[float, list[int]]]


def plan(weights: np.ndarray) -> Groups:
    """Taps grouped by equal weight: [(weight, [tap indices])], zero weights dropped."""
    w = np.asarray(weights, np.float32).ravel()
    groups: dict[float, list[int]] = {}
    for i, v in enumerate(w.tolist()):
        if v != 0.0:
            groups.setdefault(v, []).append(i)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), -abs(kv[0])))


def cost(groups: Groups) -> int:
    """Whole-array passes that `accumulate` makes for these groups."""
    return sum(len(ix) + (abs(c) != 1) for c, ix in groups) - 1


def _sum(dst: np.ndarray, views: list[np.ndarray]) -> None:
    np.add(views[0], views[1], out=dst)
    for v in views[2:]:
        np.add(dst, v, out=dst)


def _term(t: np.ndarray, c: float, ix: list[int],
          view: Callable[[int], np.ndarray]) -> tuple[np.ndarray, float]:
    """(array, sign) with sign · array = c · Σ_ix view(i); uses t as scratch when needed."""
    src = view(ix[0])
    if len(ix) > 1:
        _sum(t, [view(i) for i in ix])
        src = t
    if abs(c) == 1:
        return src, c
    np.multiply(src, np.float32(c), out=t)
    return t, 1.0


def accumulate(o: np.ndarray, t: np.ndarray, groups: Groups,
               view: Callable[[int], np.ndarray]) -> None:
    """o ← Σ_groups weight · Σ_taps view(tap); t is scratch of o's shape.

    Costs Σ (taps + [weight ≠ ±1]) − 1 passes: o starts as the first term (or as the first tap
    plus the second term when the first weight is a lone 1), then each term is added."""
    if not groups:
        o[...] = 0.0
        return
    (c0, ix0), rest = groups[0], groups[1:]
    if len(ix0) == 1 and c0 == 1 and rest:
        src, sign = _term(t, *rest[0], view)
        (np.add if sign > 0 else np.subtract)(view(ix0[0]), src, out=o)
        rest = rest[1:]
    elif len(ix0) == 1:
        np.multiply(view(ix0[0]), np.float32(c0), out=o)
    else:
        _sum(o, [view(i) for i in ix0])
        if c0 != 1:
            np.multiply(o, np.float32(c0), out=o)
    for c, ix in rest:
        if abs(c) == 1:  # each tap into o: as many passes as summing them first, fewer reads
            for i in ix:  # of two unaligned slices in one pass
                (np.add if c > 0 else np.subtract)(o, view(i), out=o)
            continue
        src, sign = _term(t, c, ix, view)
        (np.add if sign > 0 else np.subtract)(o, src, out=o)


def separate(K: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(col (FH,), row (FW,)) with K = outer(col, row) when K has rank 1, else None."""
    K64 = np.asarray(K, np.float64)
    i, j = np.unravel_index(np.argmax(np.abs(K64)), K64.shape)
    if K64[i, j] == 0:
        return None
    row, col = K64[i], K64[:, j] / K64[i, j]
    if np.abs(np.outer(col, row) - K64).max() > 1e-6 * abs(K64[i, j]):
        return None
    return col.astype(np.float32), row.astype(np.float32)


def normalise(groups: Groups) -> tuple[float, Groups]:
    """(scale, groups / scale) with the first group's weight 1: its multiply is saved, and the
    scale is applied once per block, to the padded copy of the input rows."""
    if not groups:
        return 1.0, groups
    s = groups[0][0]
    if abs(s) < 1e-6 * max(abs(c) for c, _ in groups):  # keep the weights' range sane
        return 1.0, groups
    return s, [(1.0 if k == 0 else float(np.float32(c / s)), ix)
               for k, (c, ix) in enumerate(groups)]


class Strategy(NamedTuple):
    """How filter_planes runs one set of weights: taps grouped by weight, or (one channel,
    rank 1) a row pass `rows` then a column pass `cols`; `scale` multiplies the input copy."""

    scale: float
    groups: Groups
    sep: tuple[Groups, Groups] | None  # (cols, rows)
    passes: int  # estimated whole-image passes, the block copy and scale included


@lru_cache(maxsize=256)
def _strategy(key: bytes, shape: tuple[int, ...], stride_one: bool) -> Strategy:
    weights = np.frombuffer(key, np.float32).reshape(shape)
    scale, groups = normalise(plan(weights))
    best = cost(groups)
    sep = separate(weights[0]) if shape[0] == 1 and stride_one else None
    if sep is not None:
        (cs, cg), (rs, rg) = (normalise(plan(v)) for v in sep)
        if cost(cg) + cost(rg) + 1 < best:
            return Strategy(cs * rs, groups, (cg, rg), cost(cg) + cost(rg) + 3)
    return Strategy(scale, groups, None, best + 2)


def strategy(weights: np.ndarray, stride_one: bool = True) -> Strategy:
    """The (cached) Strategy for float32 weights (C, FH, FW)."""
    w = np.ascontiguousarray(weights, np.float32)
    return _strategy(w.tobytes(), w.shape, stride_one)


def passes(weights: np.ndarray, stride_one: bool = True) -> int:
    """Estimated whole-image passes of filter_planes for these weights (C, FH, FW)."""
    return strategy(weights, stride_one).passes


class _Source:
    """Padded rows [r0, r1) of plane (n, c), copied into a cache-sized buffer and multiplied by
    `scale` there (one in-cache pass). The buffer is flat with a few spare elements at the end,
    so every tap of a stride-1 filter is one contiguous 1-D slice of it (the spare elements are
    only ever read for the scratch columns ≥ OW). Zero padding is added on the fly; edge /
    reflect pad the whole input first. With `mix`, the plane is Σ_c mix[c] · x[n, c]."""

    def __init__(self, x: np.ndarray, g: Geometry, mode: str, rows: int,
                 mix: np.ndarray | None, scale: float) -> None:
        self.g, self.H = g, x.shape[-2]
        self.lazy = mode == "zeros"
        self.scale = np.float32(scale)
        self.mix = None if mix is None else [(c * scale, ix) for c, ix in plan(mix)]
        if not self.lazy:
            if mix is not None:  # Σ_c mix[c] · x[:, c], then pad
                mixed = np.empty((x.shape[0], 1, *x.shape[2:]), np.float32)
                accumulate(mixed, np.empty_like(mixed), plan(mix), lambda c: x[:, c:c + 1])
                x, self.mix = mixed, None
            x = pad2d(x, g.pad, mode)
        self.x = x
        self.Wp = x.shape[-1] + (2 * g.pad[1] if self.lazy else 0)
        span = (rows - 1) * g.stride[0] + (g.FH - 1) * g.dilation[0] + 1
        self.spare = (g.FW - 1) * g.dilation[1] + 1
        planes = 1 if self.mix is not None else x.shape[1]
        self.buf = np.zeros((planes, span * self.Wp + self.spare), np.float32)
        if self.mix is not None:
            self.tmp = np.empty((2, span * x.shape[-1]), np.float32)

    def rows(self, n: int, c: int, r0: int, r1: int) -> np.ndarray:
        """The flat buffer holding padded rows r0..r1 of plane (n, c) (c = 0 when mixed)."""
        Wp, k = self.Wp, r1 - r0
        flat = self.buf[c, :k * Wp + self.spare]
        b = flat[:k * Wp].reshape(k, Wp)
        if not self.lazy:
            b[...] = self.x[n, c, r0:r1]
            if self.scale != 1:  # 1-D in place: NumPy multiplies into a strided view ~2× slower
                np.multiply(flat, self.scale, out=flat)
            return flat
        ph, pw = self.g.pad
        lo, hi = max(r0 - ph, 0), min(r1 - ph, self.H)
        a = lo + ph - r0
        b[:a] = 0.0
        b[a + hi - lo:] = 0.0
        dst = b[a:a + hi - lo, pw:Wp - pw]
        if self.mix is not None:
            xs, m = self.x[n], (hi - lo) * self.x.shape[-1]
            acc = self.tmp[0, :m]
            accumulate(acc, self.tmp[1, :m], self.mix, lambda j: xs[j, lo:hi].reshape(-1))
            dst[...] = acc.reshape(hi - lo, -1)
        else:
            dst[...] = self.x[n, c, lo:hi]
            if self.scale != 1:
                rows = flat[a * Wp:(a + hi - lo) * Wp]
                np.multiply(rows, self.scale, out=rows)
        return flat


def filter_planes(x: np.ndarray, weights: np.ndarray, g: Geometry, mode: str = "zeros",
                  bias: np.ndarray | None = None, mix: np.ndarray | None = None) -> np.ndarray:
    """Σ_c K_c ⊛ x[:, c] for x (N, C, H, W) and weights (C, FH, FW) → (N, 1, OH, OW) float32.

    With `mix` (C,) and weights (1, FH, FW): K ⊛ Σ_c mix[c] · x[:, c]. One channel and a
    rank-1 kernel run as a row pass then a column pass when that takes fewer passes. Stride 1
    works on flat padded rows: the result is a view of an (N, 1, OH, Wp) array, columns ≥ OW
    being scratch, so that every pass is 1-D and contiguous.
    """
    N, C = x.shape[:2]
    OH, OW = g.out_h, g.out_w
    sh, dh, FH = g.stride[0], g.dilation[0], g.FH
    flat = g.stride == (1, 1)
    scale, groups, sep, _ = strategy(weights, flat)
    Wp = x.shape[-1] + 2 * g.pad[1]
    nplanes = 1 if mix is not None else C
    R = max(1, min(OH, BLOCK_BYTES // (4 * Wp * nplanes)))
    src = _Source(x, g, mode, R, mix, scale)
    wide = np.empty((N, 1, OH, Wp if flat else OW), np.float32)
    t = np.empty(R * wide.shape[-1], np.float32)
    span = R + (FH - 1) * dh
    h, t2 = np.empty(span * Wp, np.float32), np.empty(span * Wp, np.float32)
    for n in range(N):
        for r0 in range(0, OH, R):
            checkpoint()  # stops a timed-out request (app/cancel.py)
            r = min(R, OH - r0)
            need = (r - 1) * sh + (FH - 1) * dh + 1
            if not flat:
                planes = [src.rows(n, c, r0 * sh, r0 * sh + need)[:need * Wp].reshape(need, Wp)
                          for c in range(nplanes)]
                o = wide[n, 0, r0:r0 + r]
                accumulate(o, t[:o.size].reshape(o.shape), groups,
                           partial(_tap, planes, g, r, OW))
                continue
            o = wide[n, 0, r0:r0 + r].reshape(-1)
            L = r * Wp
            if sep is not None:
                cg, rg = sep
                s = src.rows(n, 0, r0, r0 + need)
                hh = h[:need * Wp]
                accumulate(hh, t2[:need * Wp], rg, partial(_flat, s, g.dilation[1], need * Wp))
                accumulate(o, t[:L], cg, partial(_flat, hh, dh * Wp, L))
            else:
                srcs = [src.rows(n, c, r0, r0 + need) for c in range(nplanes)]
                accumulate(o, t[:L], groups, partial(_flat_tap, srcs, g, Wp, L))
    if bias is not None:
        wide += np.float32(np.asarray(bias).ravel()[0])
    return wide[..., :OW]


def _flat(s: np.ndarray, step: int, L: int, k: int) -> np.ndarray:
    return s[k * step:k * step + L]


def _flat_tap(srcs: list[np.ndarray], g: Geometry, Wp: int, L: int, k: int) -> np.ndarray:
    """Tap k = (c, u, v) as a flat slice: offset u·D·Wp + v·D of plane c's buffer."""
    c, uv = divmod(k, g.FH * g.FW)
    u, v = divmod(uv, g.FW)
    off = u * g.dilation[0] * Wp + v * g.dilation[1]
    return srcs[c][off:off + L]


def _tap(planes: list[np.ndarray], g: Geometry, r: int, OW: int, k: int) -> np.ndarray:
    """The view of tap k = (c, u, v) for r output rows of the current block."""
    c, uv = divmod(k, g.FH * g.FW)
    u, v = divmod(uv, g.FW)
    (sh, sw), (dh, dw) = g.stride, g.dilation
    return planes[c][u * dh:u * dh + (r - 1) * sh + 1:sh, v * dw:v * dw + (OW - 1) * sw + 1:sw]
