"""PNG encoding of maps and images: encode_png, png_data_url, grid (several maps in one picture)."""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence

import numpy as np
from PIL import Image

from app.imaging.colormap import ScaleArg, colorize

PNG_COMPRESS_LEVEL = 3  # zlib level: previews are sent once and discarded, so favour speed


def to_uint8(image: np.ndarray) -> np.ndarray:
    """uint8 passes through; any other dtype is read as [0, 1], clipped and rounded to 0..255."""
    a = np.asarray(image)
    if a.dtype == np.uint8:
        return a
    a = np.nan_to_num(a.astype(np.float32), nan=0.0)
    out: np.ndarray = np.floor(np.clip(a, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return out


def encode_png(image: np.ndarray, *, compress_level: int = PNG_COMPRESS_LEVEL) -> bytes:
    """(H, W) gray, (H, W, 3) RGB or (H, W, 4) RGBA → PNG bytes (8 bits per channel).

    uint8 is written as is; float arrays are read as [0, 1] (use `colorize` for feature maps).
    """
    a = to_uint8(image)
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[2] in (3, 4))):
        raise ValueError(f"encode_png expects (H, W), (H, W, 3) or (H, W, 4), got {a.shape}")
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(a)).save(buf, "PNG", compress_level=compress_level)
    return buf.getvalue()


def png_data_url(map2d: np.ndarray, scale: ScaleArg = "auto") -> str:
    """A 2-D map colour-scaled (`colorize`) as "data:image/png;base64,…".

    uint8 arrays ((H, W) gray, (H, W, 3) RGB, (H, W, 4) RGBA) are already images: encoded as is.
    """
    a = np.asarray(map2d)
    rgb = a if a.dtype == np.uint8 else colorize(a, scale)
    return "data:image/png;base64," + base64.b64encode(encode_png(rgb)).decode("ascii")


def grid(maps: Sequence[np.ndarray] | np.ndarray, cols: int | None = None, *,
         scale: ScaleArg = "auto", gap: int = 2,
         background: tuple[int, int, int] = (128, 128, 128)) -> np.ndarray:
    """K maps (a (K, H, W) array or a list of 2-D maps / uint8 (H, W, 3) images) → uint8 RGB.

    Each map is colour-scaled on its own; cells are max(H) × max(W), laid out row by row in
    `cols` columns (default ceil(√K)) with `gap` pixels of `background` between them (none around).
    Size: (rows·cellH + (rows − 1)·gap, cols·cellW + (cols − 1)·gap, 3).
    """
    items = list(maps)
    if not items:
        raise ValueError("grid needs at least one map")
    tiles = [m if (m.dtype == np.uint8 and m.ndim == 3) else colorize(m, scale)
             for m in (np.asarray(x) for x in items)]
    k = len(tiles)
    cols = max(1, min(cols or math.ceil(math.sqrt(k)), k))
    rows = math.ceil(k / cols)
    ch = max(t.shape[0] for t in tiles)
    cw = max(t.shape[1] for t in tiles)
    out = np.empty((rows * ch + (rows - 1) * gap, cols * cw + (cols - 1) * gap, 3), np.uint8)
    out[:] = np.asarray(background, dtype=np.uint8)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, cols)
        y, x = r * (ch + gap), c * (cw + gap)
        out[y:y + tile.shape[0], x:x + tile.shape[1]] = tile[..., :3]
    return out
