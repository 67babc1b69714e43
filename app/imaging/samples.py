"""ConvScope's own sample images, drawn with Pillow (no third-party photos): deterministic, cached.

ids: shapes, text, gradient, checkerboard (256×256) and scene (320×240). Each is an RGB image with
clear edges or ramps so that smoothing, sharpening and edge kernels show a visible difference.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from app.imaging.png import encode_png

SIZE = 256
TEXTS = json.loads(Path(__file__).with_name("samples.json").read_text(encoding="utf-8"))
"""Names and descriptions (en/ja) of the samples, and the Japanese word drawn on `text`."""
# A CJK font is used for the Japanese word when one is installed (Debian: fonts-noto-cjk); else
# Latin text.
CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Bold.ttc"),
)


@dataclass(frozen=True)
class Sample:
    """One sample: id, names (en/ja), a one-line description (en/ja) and its drawing function."""

    id: str
    name_en: str
    name_ja: str
    description_en: str
    description_ja: str
    draw: Callable[[], Image.Image]


def _shapes() -> Image.Image:
    img = Image.new("RGB", (SIZE, SIZE), (255, 255, 255))
    d = ImageDraw.Draw(img)
    d.ellipse((20, 20, 116, 116), fill=(30, 30, 30))
    d.rectangle((140, 24, 232, 112), fill=(220, 40, 40))
    d.polygon([(68, 140), (20, 236), (116, 236)], fill=(40, 90, 220))
    d.ellipse((144, 144, 232, 232), outline=(20, 150, 60), width=10)
    d.line((128, 0, 128, SIZE), fill=(120, 120, 120), width=2)
    d.line((0, 128, SIZE, 128), fill=(120, 120, 120), width=2)
    return img


def _font(size: int, cjk: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Noto Sans CJK (face 0, Japanese) when asked for and installed, else Pillow's default."""
    if cjk:
        for path in CJK_FONTS:
            if path.exists():
                return ImageFont.truetype(str(path), size, index=0,
                                          layout_engine=ImageFont.Layout.BASIC)
    return ImageFont.load_default(size=size)


def has_cjk_font() -> bool:
    return any(p.exists() for p in CJK_FONTS)


def _centered_text(img: Image.Image, text: str, size: int, cy: int, cjk: bool,
                   stroke: int = 0) -> None:
    d = ImageDraw.Draw(img)
    font = _font(size, cjk)
    left, top, right, bottom = d.textbbox((0, 0), text, font=font)
    x = (img.width - (right - left)) // 2 - left
    y = cy - (bottom - top) // 2 - top
    d.text((x, y), text, fill=(0, 0, 0), font=font, stroke_width=stroke, stroke_fill=(0, 0, 0))


def _text() -> Image.Image:
    img = Image.new("RGB", (SIZE, SIZE), (255, 255, 255))
    _centered_text(img, "CNN", 96, 78, cjk=False, stroke=3)
    if has_cjk_font():
        _centered_text(img, TEXTS["text_cjk"], 56, 186, cjk=True)
    else:
        _centered_text(img, "conv", 72, 186, cjk=False, stroke=2)
    return img


def _gradient() -> Image.Image:
    """Top half: a horizontal gray ramp 0 → 255; bottom half: a radial glow on dark blue."""
    x = np.linspace(0.0, 1.0, SIZE)
    top = np.broadcast_to(np.round(x * 255), (SIZE // 2, SIZE))
    yy, xx = np.mgrid[0:SIZE // 2, 0:SIZE] + 0.5
    r = np.hypot(xx - SIZE / 2, yy - SIZE / 4) / (SIZE / 2)
    glow = np.clip(1.0 - r, 0.0, 1.0)
    bottom = np.stack([40 + 215 * glow, 60 + 180 * glow, 120 + 80 * glow], axis=-1)
    img = np.concatenate([np.repeat(top[..., None], 3, axis=-1), bottom], axis=0)
    return Image.fromarray(np.round(img).astype(np.uint8))


def _checkerboard() -> Image.Image:
    """8×8 squares of 32 px, black and white, top-left black."""
    yy, xx = np.indices((SIZE, SIZE)) // 32
    return Image.fromarray(np.where((yy + xx) % 2 == 0, 0, 255).astype(np.uint8)).convert("RGB")


def _scene() -> Image.Image:
    """Sky, sun, hills, a house and a tree: 320×240."""
    w, h = 320, 240
    sky = np.linspace(0.0, 1.0, 160)[:, None, None]
    top = (1 - sky) * np.array([70, 130, 210]) + sky * np.array([190, 225, 250])
    img = np.empty((h, w, 3), dtype=np.uint8)
    img[:160] = np.round(np.broadcast_to(top, (160, w, 3)))
    img[160:] = (90, 170, 70)
    im = Image.fromarray(img)
    d = ImageDraw.Draw(im)
    d.ellipse((24, 18, 84, 78), fill=(255, 215, 40))
    d.ellipse((-60, 130, 180, 210), fill=(110, 185, 85))
    d.rectangle((150, 120, 250, 200), fill=(200, 150, 100))
    d.polygon([(140, 122), (200, 70), (260, 122)], fill=(170, 50, 40))
    d.rectangle((188, 150, 212, 200), fill=(100, 60, 30))
    d.rectangle((160, 135, 180, 155), fill=(220, 240, 255), outline=(60, 60, 60), width=2)
    d.rectangle((220, 135, 240, 155), fill=(220, 240, 255), outline=(60, 60, 60), width=2)
    d.rectangle((279, 150, 291, 215), fill=(110, 70, 40))
    d.ellipse((256, 90, 314, 160), fill=(40, 120, 50))
    return im


_DRAW: dict[str, Callable[[], Image.Image]] = {
    "shapes": _shapes, "text": _text, "gradient": _gradient, "checkerboard": _checkerboard,
    "scene": _scene}
SAMPLES: dict[str, Sample] = {
    sid: Sample(sid, **TEXTS["samples"][sid], draw=_DRAW[sid]) for sid in TEXTS["samples"]}


class UnknownSampleError(KeyError):
    """No sample with this id."""


@cache
def sample_image(sample_id: str) -> Image.Image:
    """The sample drawn once (RGB); raises UnknownSampleError."""
    if sample_id not in SAMPLES:
        raise UnknownSampleError(sample_id)
    return SAMPLES[sample_id].draw()


@cache
def sample_png(sample_id: str) -> bytes:
    """The sample as PNG bytes, encoded once and cached; raises UnknownSampleError."""
    return encode_png(np.asarray(sample_image(sample_id)), compress_level=9)


def sample_size(sample_id: str) -> tuple[int, int]:
    """(width, height) of the sample."""
    return sample_image(sample_id).size
