"""Prepare an arbitrary grayscale image the way MNIST digits were prepared.

MNIST (LeCun et al.): a white digit on black; the digit's bounding box scaled to fit 20×20
keeping its aspect ratio (anti-aliased), then placed in a 28×28 field so that its centre of
mass sits at the field's centre. Values in [0, 1].

Steps here, on a gray (H, W) float image in [0, 1]:
1. background level b = median of the border pixels; if b > 0.5 the background is light and the
   image is inverted (x → 1 − x, b → 1 − b);
2. contrast stretch: x → clip((x − b) / (max x − b), 0, 1);
3. crop to the bounding box of the ink (x > INK_THRESHOLD); resize so the longer side is 20;
4. paste into 28×28 so the centre of mass (Σ x·(row, col) / Σ x) lands on (14, 14),
   shifted by whole pixels and clamped so the box stays inside the field.

Why (14, 14) and not the field's geometric centre 13.5: measured on the 6,000 training digits of
the shipped models (row, col pixel indices, 0-based), MNIST's centre of mass is at
(13.99 ± 0.29, 14.01 ± 0.29); 0.29 is the spread of a whole-pixel shift to 14.0 (uniform ±½ px
has σ = 0.289), so MNIST's digits were moved by whole pixels to (14, 14). Centring at 13.5 moved
every upload half a pixel up-left of what the models were trained on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

SIZE = 28
BOX = 20
CENTRE = 14.0  # where MNIST puts the centre of mass (row and column; see the module docstring)
INK_THRESHOLD = 0.1
MIN_CONTRAST = 0.1


@dataclass(frozen=True)
class PreparedDigit:
    """The 28×28 input and what was done to get it (reported to the user, never silent)."""

    image: np.ndarray  # (28, 28) float32 in [0, 1], white digit on black
    inverted: bool  # the background was light, so the image was inverted
    empty: bool  # no ink found: the image is all zeros
    bbox: tuple[int, int, int, int] | None = None  # ink box: top, left, bottom, right (exclusive)
    scale: float = 1.0  # resize factor applied to the ink box
    offset: tuple[int, int] = (0, 0)  # where the resized box's top-left was placed in 28×28
    centre_of_mass: tuple[float, float] = field(default=(CENTRE, CENTRE))  # in the 28×28 result


def centre_of_mass(img: np.ndarray) -> tuple[float, float]:
    """(row, col) = Σ x·(i, j) / Σ x over a 2-D non-negative image; the centre if all zero."""
    total = float(img.sum())
    if total <= 0:
        return ((img.shape[0] - 1) / 2, (img.shape[1] - 1) / 2)
    rows = np.arange(img.shape[0], dtype=np.float64)
    cols = np.arange(img.shape[1], dtype=np.float64)
    return (float(img.sum(axis=1) @ rows / total), float(img.sum(axis=0) @ cols / total))


def _border_median(gray: np.ndarray) -> float:
    """Median of the outermost rows and columns: the background level."""
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    return float(np.median(border))


def _normalise(gray: np.ndarray) -> tuple[np.ndarray, bool, bool]:
    """White-on-black, contrast-stretched image; (image, inverted, empty)."""
    bg = _border_median(gray)
    inverted = bg > 0.5
    x = 1.0 - gray if inverted else gray
    bg = 1.0 - bg if inverted else bg
    peak = float(x.max())
    if peak - bg < MIN_CONTRAST:
        return np.zeros_like(x), inverted, True
    return np.clip((x - bg) / (peak - bg), 0.0, 1.0), inverted, False


def _fit_box(crop: np.ndarray) -> tuple[np.ndarray, float]:
    """Resize so the longer side is BOX (aspect kept, at least 1 pixel); Lanczos anti-aliasing."""
    h, w = crop.shape
    scale = BOX / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    img = Image.fromarray(crop.astype(np.float32), mode=None)
    out = np.asarray(img.resize((nw, nh), Image.Resampling.LANCZOS), dtype=np.float32)
    return np.clip(out, 0.0, 1.0), scale


def prepare_digit(gray: np.ndarray) -> PreparedDigit:
    """(H, W) gray in [0, 1] → PreparedDigit with a (28, 28) MNIST-style image."""
    gray = np.asarray(gray, dtype=np.float32)
    if gray.ndim == 3 and gray.shape[0] == 1:
        gray = gray[0]
    if gray.ndim != 2:
        raise ValueError(f"expected a 2-D grayscale image, got shape {gray.shape}")
    x, inverted, empty = _normalise(gray)
    if empty:
        return PreparedDigit(np.zeros((SIZE, SIZE), np.float32), inverted, True)
    rows = np.flatnonzero((x > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((x > INK_THRESHOLD).any(axis=0))
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    box, scale = _fit_box(x[top:bottom, left:right])
    cy, cx = centre_of_mass(box)
    h, w = box.shape
    oy = int(np.clip(round(CENTRE - cy), 0, SIZE - h))
    ox = int(np.clip(round(CENTRE - cx), 0, SIZE - w))
    out = np.zeros((SIZE, SIZE), np.float32)
    out[oy:oy + h, ox:ox + w] = box
    peak = float(out.max())
    if peak > 0:
        out /= peak
    return PreparedDigit(out, inverted, False, (top, left, bottom, right), scale, (oy, ox),
                         centre_of_mass(out))
