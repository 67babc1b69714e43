"""max_pool2d / avg_pool2d as a running max / sum over the window's strided slices.

A 2×2 window with stride 2 is four strided views of x and three np.maximum (or np.add) calls,
done a few planes at a time so that the running result stays in cache (the Pooling layer in
layers.py is the book's im2col version, kept for backward).
"""

from __future__ import annotations

import numpy as np

from .geometry import Geometry, Pair, conv_geometry, f32, pad2d, pair

BLOCK_BYTES = 256 << 10  # output bytes per block of planes


def pool_geometry(x: np.ndarray, size: Pair, stride: Pair | None, pad: Pair) -> Geometry:
    """conv_geometry of a size window; stride defaults to size."""
    kh, kw = pair(size)
    return conv_geometry(x.shape[-2], x.shape[-1], kh, kw,
                         stride=(kh, kw) if stride is None else stride, pad=pad)


def window_views(xp: np.ndarray, g: Geometry) -> list[np.ndarray]:
    """One strided view of padded xp per window offset (u, v): each (…, OH, OW)."""
    (sh, sw), OH, OW = g.stride, g.out_h, g.out_w
    return [xp[..., u:u + sh * (OH - 1) + 1:sh, v:v + sw * (OW - 1) + 1:sw]
            for u in range(g.FH) for v in range(g.FW)]


def _pool(x: np.ndarray, size: Pair, stride: Pair | None, pad: Pair, op: str) -> np.ndarray:
    x = f32(x)
    if x.ndim != 4:
        raise ValueError(f"x must be (N, C, H, W), not shape {x.shape}")
    N, C = x.shape[:2]
    g = pool_geometry(x, size, stride, pad)
    xp = pad2d(x, g.pad, "zeros", value=-np.inf if op == "max" else 0.0)
    planes = xp.reshape(N * C, *xp.shape[-2:])
    out = np.empty((N * C, g.out_h, g.out_w), np.float32)
    ufunc = np.maximum if op == "max" else np.add
    step = max(1, BLOCK_BYTES // (4 * g.out_h * g.out_w))
    for p0 in range(0, N * C, step):
        views = window_views(planes[p0:p0 + step], g)
        o = out[p0:p0 + step]
        if len(views) == 1:
            np.copyto(o, views[0])
        else:
            ufunc(views[0], views[1], out=o)
            for v in views[2:]:
                ufunc(o, v, out=o)
        if op == "avg" and len(views) > 1:
            np.multiply(o, np.float32(1.0 / len(views)), out=o)
    return out.reshape(N, C, g.out_h, g.out_w)


def max_pool2d(x: np.ndarray, size: Pair = 2, stride: Pair | None = None,
               pad: Pair = 0) -> np.ndarray:
    """Max over each size×size window (padding counts as −∞); stride defaults to size.
    (N, C, H, W) → (N, C, OH, OW)."""
    return _pool(x, size, stride, pad, "max")


def avg_pool2d(x: np.ndarray, size: Pair = 2, stride: Pair | None = None,
               pad: Pair = 0) -> np.ndarray:
    """Mean over each window (zero padding counted); stride defaults to size."""
    return _pool(x, size, stride, pad, "avg")
