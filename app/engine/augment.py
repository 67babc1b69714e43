"""Data augmentation for training: random translations, affine warps, stroke width."""

from __future__ import annotations

import numpy as np


def random_shift(x: np.ndarray, max_shift: int, rng: np.random.Generator) -> np.ndarray:
    """Shift each image of x (N, C, H, W) by dy, dx drawn uniformly from [−max_shift, max_shift];
    pixels moved in from outside are 0 (the MNIST background). Returns a new array."""
    if max_shift <= 0:
        return x.copy()
    N, _, H, W = x.shape
    s = max_shift
    padded = np.pad(x, ((0, 0), (0, 0), (s, s), (s, s)))
    offsets = rng.integers(-s, s + 1, size=(N, 2))
    out = np.empty_like(x)
    codes = (offsets[:, 0] + s) * (2 * s + 1) + (offsets[:, 1] + s)
    for code in np.unique(codes):  # at most (2s+1)² groups, each one slice copy
        idx = np.nonzero(codes == code)[0]
        dy, dx = divmod(int(code), 2 * s + 1)
        out[idx] = padded[idx, :, 2 * s - dy:2 * s - dy + H, 2 * s - dx:2 * s - dx + W]
    return out


def random_affine(x: np.ndarray, rng: np.random.Generator, *, max_shift: float = 2.0,
                  max_rotate_deg: float = 0.0, max_scale: float = 0.0) -> np.ndarray:
    """Move each image of x (N, C, H, W) by a random rotation θ ∈ ±max_rotate_deg about the
    centre, scale s ∈ 1 ± max_scale and shift d ∈ ±max_shift px; bilinear, zero outside.
    Output pixel p takes the input at c + R(−θ)·(p − c − d)/s (c = the image centre)."""
    N, C, H, W = x.shape
    theta = np.deg2rad(rng.uniform(-max_rotate_deg, max_rotate_deg, N))
    scale = np.asarray(1.0 + rng.uniform(-max_scale, max_scale, N))
    shift = rng.uniform(-max_shift, max_shift, (N, 2))
    cy, cx = (H - 1) / 2.0, (W - 1) / 2.0
    yy, xx = np.meshgrid(np.arange(H, dtype=np.float64), np.arange(W, dtype=np.float64),
                         indexing="ij")
    dy = (yy[None] - cy - shift[:, 0, None, None]) / scale[:, None, None]
    dx = (xx[None] - cx - shift[:, 1, None, None]) / scale[:, None, None]
    cos, sin = np.cos(theta)[:, None, None], np.sin(theta)[:, None, None]
    sy, sx = cy + cos * dy - sin * dx, cx + sin * dy + cos * dx  # (N, H, W) source coordinates
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))  # a zero border for out-of-range reads
    y0 = np.clip(np.floor(sy), -1, H).astype(np.int64)
    x0 = np.clip(np.floor(sx), -1, W).astype(np.int64)
    wy = np.clip(sy - y0, 0.0, 1.0).astype(np.float32)[:, None]
    wx = np.clip(sx - x0, 0.0, 1.0).astype(np.float32)[:, None]
    n = np.arange(N)[:, None, None]

    def at(yi: np.ndarray, xi: np.ndarray) -> np.ndarray:  # (N, C, H, W) reads, zero outside
        rows, cols = np.clip(yi + 1, 0, H + 1), np.clip(xi + 1, 0, W + 1)
        return padded[n, :, rows, cols].transpose(0, 3, 1, 2)  # (N, H, W, C) → NCHW

    top = at(y0, x0) * (1 - wx) + at(y0, x0 + 1) * wx
    bottom = at(y0 + 1, x0) * (1 - wx) + at(y0 + 1, x0 + 1) * wx
    return (top * (1 - wy) + bottom * wy).astype(np.float32)


def grey_dilate(x: np.ndarray) -> np.ndarray:
    """3×3 grey dilation of x (N, C, H, W): each pixel becomes the max of its 3×3 neighbourhood
    (zero outside). A thicker stroke: about one pixel more on every side."""
    H, W = x.shape[2:]
    p = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = p[:, :, 1:H + 1, 1:W + 1].copy()
    for dy in range(3):
        for dx in range(3):
            np.maximum(out, p[:, :, dy:dy + H, dx:dx + W], out=out)
    return out


def grey_erode_cross(x: np.ndarray) -> np.ndarray:
    """Grey erosion of x (N, C, H, W) by the 3×3 cross (the pixel and its 4 neighbours; zero
    outside): a thinner stroke, about one pixel less on every side."""
    H, W = x.shape[2:]
    p = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = p[:, :, 1:H + 1, 1:W + 1].copy()
    for dy, dx in ((0, 1), (2, 1), (1, 0), (1, 2)):
        np.minimum(out, p[:, :, dy:dy + H, dx:dx + W], out=out)
    return out


def random_stroke(x: np.ndarray, rng: np.random.Generator, p: float) -> np.ndarray:
    """Change the stroke width of a fraction p of the images of x (N, C, H, W): half of those
    thicker, half thinner, x + a·(op(x) − x) with op = grey_dilate or grey_erode_cross and
    strength a ∈ U(0.25, 1). Always draws 2N numbers (deterministic for a seed)."""
    kind, a = rng.uniform(size=len(x)), rng.uniform(0.25, 1.0, len(x)).astype(x.dtype)
    out = x.copy()
    for mask, op in ((kind < p / 2, grey_dilate), ((kind >= p / 2) & (kind < p),
                                                    grey_erode_cross)):
        if mask.any():
            xs = x[mask]
            out[mask] = xs + a[mask, None, None, None] * (op(xs) - xs)
    return out
