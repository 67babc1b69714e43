"""A stage's channels as one palette PNG (1 byte per pixel: 3× less to compress than RGB)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from app.imaging.colormap import lut

GAP = 1


def sheet_png(maps: np.ndarray, signed: bool) -> bytes:
    """(C, H, W) → PNG of the channels as tiles in a near-square grid (1-pixel gaps), on one
    scale: diverging [−m, m] (m = max |v|, the colormap's symmetric rounding) when signed,
    sequential [min(0, min), max] otherwise; indices into the colormap's LUT as a palette image."""
    C, H, W = maps.shape
    name = "diverging" if signed else "sequential"
    table = lut(name)
    n = len(table)
    v = np.nan_to_num(maps.astype(np.float64), nan=0.0)
    lo, hi = min(0.0, float(v.min())), float(v.max())
    if signed:
        hi = max(abs(lo), abs(hi))
        lo = -hi
    if hi <= lo:
        idx = np.full(v.shape, (n - 1) // 2 if signed else 0, np.uint8)
    elif signed:
        half = (n - 1) // 2
        t = np.clip(v, lo, hi) * (half / hi)
        idx = (np.sign(t) * np.floor(np.abs(t) + 0.5) + half).astype(np.uint8)
    else:
        idx = np.floor((np.clip(v, lo, hi) - lo) * ((n - 1) / (hi - lo)) + 0.5).astype(np.uint8)
    cols = int(np.ceil(np.sqrt(C)))
    rows = -(-C // cols)
    gap = n if n < 256 else 0  # white after a 255-entry LUT, else the scale's low end
    sheet = np.full((rows * (H + GAP) - GAP, cols * (W + GAP) - GAP), gap, np.uint8)
    for i in range(C):
        r, c = divmod(i, cols)
        sheet[r * (H + GAP):r * (H + GAP) + H, c * (W + GAP):c * (W + GAP) + W] = idx[i]
    img = Image.fromarray(sheet, mode="P")
    palette = table if n == 256 else np.vstack([table, [[255, 255, 255]]])
    img.putpalette(np.asarray(palette, np.uint8).tobytes())
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=1)
    return buf.getvalue()
