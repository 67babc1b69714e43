"""Uploaded bytes → a checked, decoded, oriented float32 (C, H, W) array in [0, 1]; maps → PNG.

Order of the checks (each before the expensive step): empty → 400; the structure is walked
without decoding (JPEG markers and scans, PNG chunks and APNG frames, GIF blocks, WebP chunks)
and the decode work and memory are checked (app/imaging/budget.py → 413); the container is
sniffed by Pillow restricted to PNG, JPEG, GIF, BMP, WebP (anything else → 415); width and
height are read from the header (Image.open is lazy) and refused above `max_image_side` /
`max_image_pixels` → 413 before any pixel is decoded; a PNG's image data is inflated (and thrown
away) to check it holds every row; only then the pixels are decoded (truncated / garbled → 400).

Conversions: EXIF orientation applied; palette, 1-bit, CMYK, YCbCr → RGB; alpha (LA, RGBA, PA,
palette or tRNS transparency) composited on white; 16-bit gray (I;16, I) scaled by 1/65535;
gray = ITU-R 601-2 luma 0.299 R + 0.587 G + 0.114 B, Pillow's convert("L") of the RGB decode
for every format (JPEG too: never libjpeg's Y plane); a JPEG with max_side is first downscaled by
libjpeg in the DCT domain (1/2, 1/4, 1/8, never below the target), then LANCZOS (3–19/255 from
a full decode + LANCZOS on photographs, more on pixel noise; README); GIF / APNG / WebP: first
frame only (the others are never decoded).
Everything the decoder changed is reported in `DecodedImage.notes`. `probe_image` reads the
(C, H, W) an upload will decode to from its header alone, to plan every budget before decoding.
"""

from __future__ import annotations

import logging
import re
import struct
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from PIL import ExifTags, Image, ImageFile, ImageOps, PngImagePlugin, UnidentifiedImageError

from app.cancel import CancellableBytesIO
from app.config import Settings, get_settings
from app.errors import ImageError, note_text
from app.imaging.budget import (
    DecodeCost,
    check_image,
    check_png_rows,
    check_size,
    target_size,
    too_many_pixels,
)
from app.imaging.colormap import auto_scale, colorize, lut, scale_range
from app.imaging.png import encode_png, grid, png_data_url
from app.imaging.walk import Walk

__all__ = [
    "FORMATS", "DecodedImage", "ImageError", "ImageNote", "auto_scale", "colorize",
    "decode_image", "encode_png", "grid", "lut", "open_checked", "png_data_url",
    "scale_range",
]

log = logging.getLogger(__name__)

Color = Literal["gray", "rgb"]
FORMATS: tuple[str, ...] = ("PNG", "JPEG", "GIF", "BMP", "WEBP")
FORMATS_TEXT = "PNG, JPEG, GIF, BMP, WebP"
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"), (b"BM", "BMP"),
)
_SIXTEEN_BIT = ("I;16", "I;16B", "I;16L", "I;16N", "I")
_ALPHA = ("LA", "La", "PA", "RGBA", "RGBa")
# Pillow raises these (and more) from its plugins on hostile input; every one becomes a 400.
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, struct.error, EOFError, IndexError, KeyError,
                  TypeError, ZeroDivisionError, zlib.error, OverflowError)

ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated file is an error, never half an image
# PNG text chunks (tEXt/zTXt/iTXt) are decompressed at open; Pillow allows 64 MiB of them per
# file (+62 MiB RSS from a 63 KB upload). ConvScope reads no text: 4 MiB, more → 400.
PngImagePlugin.MAX_TEXT_MEMORY = 4 * 2**20
# Image.MAX_IMAGE_PIXELS is set to settings.max_image_pixels on every decode, so Pillow refuses
# (DecompressionBombError) whatever we refuse; its warning between 1× and 2× is redundant because
# _check_header refuses those images before their pixels are decoded.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


@dataclass(frozen=True)
class ImageNote:
    """Something the decoder changed and says so: code plus en/ja text (catalogue "notes")."""

    code: str  # first_frame_only | alpha_on_white | exif_rotated | resized | high_bit_depth |
    #            reduced_to_8_bit
    message_en: str
    message_ja: str

    @classmethod
    def of(cls, code: str, **params: Any) -> ImageNote:
        return cls(code, *note_text(code, **params))


@dataclass(frozen=True)
class DecodedImage:
    """array: float32 (C, H, W) in [0, 1], C = 1 (gray) or 3 (rgb), after orientation + resize.

    resized_from: (h, w) before the max_side resize, else None. size: (h, w) of `array`.
    format: "PNG" | "JPEG" | "GIF" | "BMP" | "WEBP" (or "MPO", a multi-picture JPEG);
    mode: Pillow's mode of the file (e.g. "P", "I;16", "CMYK"); notes: what was changed.
    """

    array: np.ndarray
    resized_from: tuple[int, int] | None
    format: str
    mode: str
    orientation: int
    notes: tuple[ImageNote, ...]

    @property
    def size(self) -> tuple[int, int]:
        return int(self.array.shape[1]), int(self.array.shape[2])


def _sniff(data: bytes) -> str | None:
    """The format the leading bytes claim, if it is one we accept (used only to pick 400 vs 415)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return next((fmt for magic, fmt in _MAGIC if data.startswith(magic)), None)


def _corrupt(field: str | None, detail: str) -> ImageError:
    return ImageError("image_corrupt", field=field, detail=detail)


def _check_header(img: Image.Image, settings: Settings, field: str | None) -> None:
    """Refuse by Pillow's width and height (a GIF grows to its first frame), before decoding."""
    w, h = img.size
    check_size(w, h, settings, field)
    if w < 1 or h < 1:
        raise _corrupt(field, f"the header says {w}×{h}")


_target_size = target_size


def _orient(img: Image.Image, notes: list[ImageNote]) -> tuple[Image.Image, int]:
    """Apply the EXIF orientation tag (2–8); an unreadable EXIF block counts as orientation 1."""
    try:
        orientation = int(img.getexif().get(ExifTags.Base.Orientation, 1))
    except _DECODE_ERRORS:
        orientation = 1
    if orientation not in range(2, 9):
        return img, 1
    out = ImageOps.exif_transpose(img)
    notes.append(ImageNote.of("exif_rotated", orientation=orientation))
    return (out if out is not None else img), orientation


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in _ALPHA or "transparency" in img.info


def _flatten(img: Image.Image, notes: list[ImageNote]) -> Image.Image:
    """Any mode → "L", "RGB" or "F" (16-bit gray, raw 0..65535); alpha composited on white."""
    if img.mode in _SIXTEEN_BIT:
        notes.append(ImageNote.of("high_bit_depth"))
        return img.convert("F")
    if _has_alpha(img):
        # one RGB canvas + the alpha plane beside the decoded image (peak ~2× lower than a white
        # RGBA + alpha_composite + convert); paste blends src·a + white·(1 − a), a = alpha/255
        rgba = img if img.mode == "RGBA" else img.convert("RGBA")
        alpha = rgba.getchannel("A")
        lowest_alpha = alpha.getextrema()[0]
        if not (isinstance(lowest_alpha, (int, float)) and lowest_alpha < 255):
            return rgba.convert("RGB")
        notes.append(ImageNote.of("alpha_on_white"))
        out = Image.new("RGB", rgba.size, (255, 255, 255))
        out.paste(rgba, mask=alpha)
        return out
    if img.mode in ("L", "RGB"):
        return img
    return img.convert("L" if img.mode == "1" else "RGB")


def _to_array(img: Image.Image, color: Color) -> np.ndarray:
    """"L" / "RGB" / "F" image → float32 (C, H, W) in [0, 1], filled plane by plane (low peak)."""
    if img.mode == "F":
        a = np.array(img, dtype=np.float32)[None]
        np.divide(a, np.float32(65535.0), out=a)
        np.clip(a, 0.0, 1.0, out=a)
    else:
        if color == "gray" and img.mode != "L":
            img = img.convert("L")
        planes = [img] if img.mode == "L" else list(img.split())
        a = np.empty((len(planes), img.height, img.width), dtype=np.float32)
        for i, plane in enumerate(planes):
            a[i] = np.asarray(plane)
        np.divide(a, np.float32(255.0), out=a)
    if color == "rgb" and a.shape[0] == 1:
        a = np.repeat(a, 3, axis=0)
    return a


def _rawmode(img: Image.Image) -> str:
    """The decoder's raw mode of the first tile, e.g. "RGB;16B" ("" when unknown)."""
    tile = getattr(img, "tile", None) or [None]
    args = getattr(tile[0], "args", None)
    return str(args[0] if isinstance(args, tuple) and args else args or "")


def _decode_opened(img: Image.Image, color: Color, max_side: int | None) -> DecodedImage:
    """Decode the first frame, orient, flatten, resize (LANCZOS); the header is already checked."""
    notes: list[ImageNote] = []
    fmt, mode = str(img.format), img.mode
    if getattr(img, "is_animated", False):
        frames = int(getattr(img, "n_frames", 0))  # GIF: counted by skipping blocks, not decoding
        img.seek(0)
        notes.append(ImageNote.of("first_frame_only", n=frames))
    if mode not in _SIXTEEN_BIT and ";16" in _rawmode(img):  # e.g. PNG RGB;16B → 8-bit RGB
        notes.append(ImageNote.of("reduced_to_8_bit"))
    w0, h0 = img.size
    target = _target_size(w0, h0, max_side)  # (w, h) in the file's own orientation
    if fmt == "JPEG" and target is not None:
        # libjpeg downscales in the DCT domain by 1/2, 1/4 or 1/8 (never below the target) before
        # the LANCZOS resize: 3–19/255 from a full decode + LANCZOS on photos (README, OpenAPI)
        img.draft(None, target)
    img.load()
    img, orientation = _orient(img, notes)
    if orientation in (5, 6, 7, 8):  # these transpose: width and height swap
        w0, h0 = h0, w0
        target = (target[1], target[0]) if target is not None else None
    img = _flatten(img, notes)
    resized_from = None
    if target is not None:
        if img.size != target:
            img = img.resize(target, Image.Resampling.LANCZOS)
        resized_from = (h0, w0)
        notes.append(ImageNote.of("resized", w0=w0, h0=h0, w=target[0], h=target[1]))
    return DecodedImage(_to_array(img, color), resized_from, fmt, mode, orientation, tuple(notes))


def _check_max_side(max_side: int | None) -> None:
    if max_side is not None and max_side < 1:
        raise ImageError("invalid_max_side", field="max_side", limit=1, max_side=max_side)


@contextmanager
def open_walked(data: bytes, settings: Settings, field: str | None, max_side: int | None = None
                ) -> Iterator[tuple[Image.Image, Walk | None, DecodeCost]]:
    """(img, walk, cost): the structure walked and the decode budget checked (app/imaging/budget)
    before Image.open (lazy: header only; libwebp allocates its canvas there), then the header
    checked; every failure → ImageError. walk is None for a format we do not sniff."""
    if not data:
        raise ImageError("image_empty", field=field)
    fmt = _sniff(data)
    wk, cost = check_image(data, fmt, settings, field, max_side) if fmt else (None, DecodeCost())
    Image.MAX_IMAGE_PIXELS = settings.max_image_pixels  # Pillow's own check: a backstop at 2×
    try:
        with Image.open(CancellableBytesIO(data), formats=FORMATS) as img:
            _check_header(img, settings, field)
            yield img, wk, cost
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:  # Pillow refused first (above 2× the limit)
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        raise too_many_pixels(field, settings.max_image_pixels,
                              int(pixels.group(1)) if pixels else 0, None) from None
    except UnidentifiedImageError:
        if fmt is None:
            raise ImageError("image_unsupported_format", field=field, limit=FORMATS_TEXT) from None
        raise _corrupt(field, f"the file starts like {fmt} but its header is broken") from None
    except _DECODE_ERRORS as exc:
        raise _corrupt(field, str(exc) or type(exc).__name__) from None
    except Exception as exc:  # a Pillow plugin bug must still be a 400, never a 500
        log.warning("unexpected %s while decoding an image", type(exc).__name__, exc_info=True)
        raise _corrupt(field, type(exc).__name__) from None


@contextmanager
def open_checked(data: bytes, settings: Settings, field: str | None,
                 max_side: int | None = None) -> Iterator[Image.Image]:
    """open_walked without the walk: the checked, lazily opened image."""
    with open_walked(data, settings, field, max_side) as (img, _, _):
        yield img


def decode_image(data: bytes, *, color: Color = "gray", max_side: int | None = None,
                 settings: Settings | None = None, field: str | None = "image") -> DecodedImage:
    """Image bytes → DecodedImage (float32 (C, H, W) in [0, 1]) or ImageError (see the module doc).

    max_side: when the long side is longer, resize (LANCZOS) so that it equals max_side and report
    the original (h, w) in `resized_from`.
    """
    settings = settings or get_settings()
    _check_max_side(max_side)
    with open_walked(data, settings, field, max_side) as (img, wk, _):
        if wk is not None and wk.format == "PNG" and wk.png_idat:
            check_png_rows(data, wk, field)  # image data that ends early → 400, not black rows
        return _decode_opened(img, color, max_side)
