"""Shared data for the REST API tests: the slides' examples and images made in the tests."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

SLIDE_KERNEL = [[2, 0, 1], [0, 1, 2], [1, 0, 2]]
SLIDE7_INPUT = [[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]]


def image_bytes(array: np.ndarray, fmt: str = "PNG") -> bytes:
    """uint8 (H, W) or (H, W, 3) → encoded image bytes."""
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    return buf.getvalue()


def gradient(h: int = 24, w: int = 32, rgb: bool = True) -> np.ndarray:
    """A smooth uint8 test picture (JPEG keeps it nearly intact)."""
    y, x = np.mgrid[0:h, 0:w]
    g = (255 * x / (w - 1)).astype(np.uint8)
    if not rgb:
        return g
    return np.stack([g, (255 * y / (h - 1)).astype(np.uint8), np.full_like(g, 128)], axis=-1)
