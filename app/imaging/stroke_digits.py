"""Sample digits 0–9 drawn from pen strokes (the network view's examples, no MNIST data),
rendered MNIST-style: white ink on black, 28×28 float32 in [0, 1], a few shifts and widths.

The dataset the explanations search for the patches that excite a filter most.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

SIDE = 28
SCALE = 8  # drawn at 8× and box-downsampled: antialiased strokes like MNIST's
Point = tuple[float, float]


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float) -> list[Point]:
    """Ellipse points from angle a0 to a1 in degrees (y down), one per 10° (as examples.js)."""
    n = max(2, math.ceil(abs(a1 - a0) / 10))
    return [(cx + rx * math.cos(math.radians(a0 + (a1 - a0) * i / n)),
             cy + ry * math.sin(math.radians(a0 + (a1 - a0) * i / n))) for i in range(n + 1)]


# digit → strokes, each a polyline in [0, 1]² (static/js/views/network/examples.js)
STROKES: dict[int, list[list[Point]]] = {
    0: [_arc(0.5, 0.5, 0.2, 0.31, -90, 275)],
    1: [[(0.42, 0.27), (0.53, 0.18), (0.5, 0.5), (0.48, 0.82)]],
    2: [[*_arc(0.5, 0.36, 0.19, 0.16, 195, 375), (0.3, 0.8), (0.72, 0.8)]],
    3: [[*_arc(0.48, 0.33, 0.18, 0.14, 200, 450), *_arc(0.48, 0.64, 0.21, 0.17, 270, 500)]],
    4: [[(0.6, 0.18), (0.28, 0.6), (0.74, 0.6)], [(0.6, 0.34), (0.6, 0.84)]],
    5: [[(0.7, 0.2), (0.37, 0.2), (0.34, 0.47), *_arc(0.48, 0.64, 0.21, 0.18, 235, 500)]],
    6: [[(0.64, 0.18), (0.47, 0.31), (0.35, 0.5), *_arc(0.5, 0.65, 0.16, 0.16, 180, 540)]],
    7: [[(0.29, 0.25), (0.71, 0.25), (0.45, 0.79)]],
    8: [_arc(0.5, 0.33, 0.15, 0.14, 90, 450), _arc(0.5, 0.65, 0.19, 0.17, -90, 270)],
    9: [_arc(0.5, 0.35, 0.17, 0.15, 0, 360), [(0.67, 0.35), (0.64, 0.6), (0.6, 0.82)]],
}
VARIANTS: tuple[tuple[float, float, float], ...] = (  # (dx, dy, pen width) in pixels of 28
    (0, 0, 2.2), (-2, 0, 1.8), (2, 1, 2.6), (0, -2, 2.0), (1, 2, 3.0))


def render(digit: int, dx: float = 0.0, dy: float = 0.0, width: float = 2.2) -> np.ndarray:
    """One digit's strokes → (28, 28) float32 in [0, 1], shifted by (dx, dy) pixels."""
    size = SIDE * SCALE
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    w = max(1, round(width * SCALE))
    for stroke in STROKES[digit]:
        pts = [((x * SIDE + dx) * SCALE, (y * SIDE + dy) * SCALE) for x, y in stroke]
        draw.line(pts, fill=255, width=w, joint="curve")
        for px, py in (pts[0], pts[-1]):  # round caps
            draw.ellipse((px - w / 2, py - w / 2, px + w / 2, py + w / 2), fill=255)
    small = img.resize((SIDE, SIDE), Image.Resampling.BOX)
    return np.asarray(small, np.float32) / np.float32(255.0)


@lru_cache(maxsize=1)
def sample_digits() -> tuple[np.ndarray, np.ndarray]:
    """(images (50, 1, 28, 28) float32, labels (50,)): every digit in every VARIANT."""
    xs = [render(d, *v) for d in range(10) for v in VARIANTS]
    labels = np.repeat(np.arange(10), len(VARIANTS))
    x = np.stack(xs)[:, None]
    x.setflags(write=False)
    return x, labels
