"""Resize a decoded image to a model's input size (Pillow, per channel, bilinear on floats)."""

from __future__ import annotations

import numpy as np
from PIL import Image


def resize_chw(x: np.ndarray, h: int, w: int) -> np.ndarray:
    """float32 (C, H, W) → (C, h, w), each channel resized in mode "F" (bilinear)."""
    if x.shape[1:] == (h, w):
        return x.astype(np.float32, copy=False)
    planes = [np.asarray(Image.fromarray(np.ascontiguousarray(c, np.float32), mode="F")
                         .resize((w, h), Image.Resampling.BILINEAR), np.float32) for c in x]
    return np.stack(planes)
