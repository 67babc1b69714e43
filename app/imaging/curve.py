"""A learning curve as a PNG (Pillow): loss and accuracy per epoch, training vs validation."""

from __future__ import annotations

import os
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

TRAIN, VAL, AXIS, GRID = (31, 119, 180), (214, 39, 40), (40, 40, 40), (225, 225, 225)


def _panel(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], title: str,
           series: Sequence[tuple[str, Sequence[float | None], tuple[int, int, int]]],
           font: ImageFont.ImageFont | ImageFont.FreeTypeFont, fmt: str,
           top_limit: float | None = None) -> None:
    """One chart in box (x0, y0, x1, y1): a line per series against epoch 1..n."""
    x0, y0, x1, y1 = box
    values = [v for _, vs, _ in series for v in vs if v is not None]
    n = max((len(vs) for _, vs, _ in series), default=1)
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    pad = (hi - lo) * 0.06
    lo, hi = lo - pad, hi + pad if top_limit is None else min(hi + pad, top_limit)
    left, top, right, bottom = x0 + 58, y0 + 26, x1 - 12, y1 - 34
    draw.text((x0 + 6, y0 + 4), title, fill=AXIS, font=font)
    for k in range(5):  # horizontal grid with value labels
        v = lo + (hi - lo) * k / 4
        y = bottom - (bottom - top) * k / 4
        draw.line([(left, y), (right, y)], fill=GRID)
        draw.text((x0 + 4, y - 7), format(v, fmt), fill=AXIS, font=font)
    draw.rectangle([left, top, right, bottom], outline=AXIS)

    def px(i: int, v: float) -> tuple[float, float]:
        fx = (i / (n - 1)) if n > 1 else 0.5
        return left + fx * (right - left), bottom - (v - lo) / (hi - lo) * (bottom - top)

    every = -(-n // 10)  # label at most ~10 epochs, always the last one
    for i in range(n):
        x, _ = px(i, lo)
        draw.line([(x, bottom), (x, bottom + 4)], fill=AXIS)
        if i == n - 1 or (i % every == 0 and n - 1 - i >= every):
            draw.text((x - 4, bottom + 6), str(i + 1), fill=AXIS, font=font)
    draw.text(((left + right) // 2 - 16, bottom + 18), "epoch", fill=AXIS, font=font)
    for j, (label, vs, colour) in enumerate(series):
        pts = [px(i, v) for i, v in enumerate(vs) if v is not None]
        if len(pts) > 1:
            draw.line(pts, fill=colour, width=2)
        for x, y in pts:
            draw.ellipse([x - 2.5, y - 2.5, x + 2.5, y + 2.5], fill=colour)
        lx, ly = x0 + 190 + 110 * j, y0 + 4  # legend in the title row, clear of the lines
        draw.line([(lx, ly + 7), (lx + 18, ly + 7)], fill=colour, width=3)
        draw.text((lx + 24, ly), label, fill=AXIS, font=font)


def draw_curve(epochs: Sequence[dict[str, float | None]], path: str | os.PathLike[str],
               title: str = "") -> None:
    """Write a 900×380 PNG: left loss, right accuracy; ``epochs`` are EpochResult dicts
    (train_loss, val_loss, train_accuracy, val_accuracy)."""
    img = Image.new("RGB", (900, 380), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=13)

    def col(key: str) -> list[float | None]:
        return [e.get(key) for e in epochs]

    if title:
        draw.text((10, 6), title, fill=AXIS, font=font)
    _panel(draw, (0, 26, 450, 380), "loss (cross-entropy)",
           [("training", col("train_loss"), TRAIN), ("validation", col("val_loss"), VAL)],
           font, ".3f")
    _panel(draw, (450, 26, 900, 380), "accuracy",
           [("training", col("train_accuracy"), TRAIN), ("validation", col("val_accuracy"), VAL)],
           font, ".1%", top_limit=1.0)
    img.save(path, format="PNG", optimize=True)
