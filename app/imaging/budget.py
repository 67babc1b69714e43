"""Decode work and memory, bounded from the container's structure before any pixel is decoded.

Per image (`check_image`, called by app.imaging.open_checked before Pillow opens the file):
  - the walk (app/imaging/walk.py) stops past max_jpeg_scans SOS segments (libjpeg-turbo's
    `djpeg -maxscans` idea: every scan of a progressive JPEG is decoded over the whole image),
    max_image_frames frames (GIF blocks, APNG acTL / fcTL, WebP ANMF) or max_image_chunks
    markers / chunks / blocks → 413;
  - the canvas and every frame's extent within max_image_side / max_image_pixels → 413;
  - decode_bytes = canvases × W' × H' × bytes per pixel (+ a progressive or multi-scan JPEG's
    coefficient buffer, 2 bytes per coefficient at full size) ≤ max_decode_bytes → 413.
    W' × H' is the size libjpeg's DCT scaling gives for max_side (1/2, 1/4, 1/8), else W × H.
Per request (`check_request`, app/services/convolve.py, on the sums over the images):
  decode_bytes ≤ max_request_decode_bytes; work = pixels × passes (JPEG scans, else 1)
  ≤ max_decode_work → 413.
After decoding, `check_png_rows` refuses a PNG whose image data ends before the last row.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from app.config import Settings
from app.errors import ImageError
from app.imaging.walk import TooManyError, Walk, walk

_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))
_TOO_MANY = {"scans": "image_too_many_scans", "frames": "image_too_many_frames",
             "chunks": "image_too_many_chunks"}
_SETTING = {"scans": "max_jpeg_scans", "frames": "max_image_frames", "chunks": "max_image_chunks"}


@dataclass(frozen=True)
class DecodeCost:
    """decode_bytes: buffers the decoder fills; work: pixels × passes (JPEG scans)."""

    decode_bytes: int = 0
    work: int = 0


def too_many_pixels(field: str | None, limit: int, w: int, h: int | None) -> ImageError:
    """w×h from the header; h=None when only the pixel count w is known (Pillow's own check)."""
    size = f"{w}×{h} = {w * h:,} pixels" if h else (f"{w:,} pixels" if w else "its header size")
    return ImageError("image_too_many_pixels", field=field, limit=limit, size=size)


def check_size(w: int, h: int, settings: Settings, field: str | None, what: str = "image") -> None:
    """413 when w·h is above max_image_pixels or a side above max_image_side."""
    if w * h > settings.max_image_pixels:
        raise too_many_pixels(field, settings.max_image_pixels, w, h)
    side = settings.max_image_side
    if w > side or h > side:
        raise ImageError("image_side_too_large", field=field, limit=side, w=w, h=h,
                         variant=None if what == "image" else "frame", what=what)


def jpeg_scale(w: int, h: int, target: tuple[int, int] | None) -> int:
    """libjpeg's DCT scale denominator Pillow's draft() picks for a (w, h) target: 1, 2, 4, 8."""
    if target is None:
        return 1
    scale = min(w // target[0], h // target[1])
    return next(s for s in (8, 4, 2, 1) if scale >= s)


def _ceil(a: int, b: int) -> int:
    return -(-a // max(b, 1))


def target_size(w: int, h: int, max_side: int | None) -> tuple[int, int] | None:
    """(w, h) scaled so that the long side is max_side, or None when it already fits."""
    if max_side is None or max(w, h) <= max_side:
        return None
    s = max_side / max(w, h)
    return max(1, round(w * s)), max(1, round(h * s))


def _coefficient_bytes(wk: Walk) -> int:
    """A progressive / multi-scan JPEG keeps every DCT coefficient (int16) of the full image:
    per component ⌈⌈W·h/hmax⌉/8⌉ × ⌈⌈H·v/vmax⌉/8⌉ blocks of 64."""
    if not (wk.progressive or wk.scans > 1) or not wk.components:
        return 0
    hmax = max(c[0] for c in wk.components)
    vmax = max(c[1] for c in wk.components)
    blocks = sum(_ceil(_ceil(wk.width * hs, hmax), 8) * _ceil(_ceil(wk.height * vs, vmax), 8)
                 for hs, vs in wk.components)
    return blocks * 64 * 2


def decode_cost(wk: Walk, target: tuple[int, int] | None) -> DecodeCost:
    """DecodeCost of the first frame; target: the max_side size (w, h) or None."""
    w, h = wk.width, wk.height
    if wk.format == "JPEG":
        s = jpeg_scale(w, h, target)
        canvas = _ceil(w, s) * _ceil(h, s) * wk.bytes_per_pixel
        return DecodeCost(canvas + _coefficient_bytes(wk), w * h * wk.scans)
    return DecodeCost(wk.canvases * w * h * wk.bytes_per_pixel, w * h)


def _mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


def check_image(data: bytes, fmt: str, settings: Settings, field: str | None,
                max_side: int | None = None) -> tuple[Walk, DecodeCost]:
    """Walk `data` (sniffed as `fmt`) and apply the per-image limits (see the module doc)."""
    try:
        wk = walk(data, fmt, max_scans=settings.max_jpeg_scans,
                  max_frames=settings.max_image_frames, max_items=settings.max_image_chunks)
    except TooManyError as e:
        raise ImageError(_TOO_MANY[e.kind], field=field, limit=e.limit,
                         setting=_SETTING[e.kind]) from None
    check_size(wk.width, wk.height, settings, field)
    for k, (fw, fh) in enumerate(wk.frames[1:], start=2):
        check_size(fw, fh, settings, field, what=f"frame {k}")
    cost = decode_cost(wk, target_size(wk.width, wk.height, max_side))
    if cost.decode_bytes > settings.max_decode_bytes:
        n = settings.max_decode_bytes
        raise ImageError("image_decode_too_large", field=field, limit=n, format=wk.format,
                         w=wk.width, h=wk.height, need=_mib(cost.decode_bytes), most=_mib(n))
    return wk, cost


def check_request(costs: Sequence[DecodeCost], settings: Settings) -> None:
    """The sums over a request's images: max_request_decode_bytes, max_decode_work → 413."""
    total = sum(c.decode_bytes for c in costs)
    if total > settings.max_request_decode_bytes:
        n = settings.max_request_decode_bytes
        raise ImageError("request_decode_too_large", field="image", limit=n, count=len(costs),
                         need=_mib(total), most=_mib(n))
    work = sum(c.work for c in costs)
    if work > settings.max_decode_work:
        n = settings.max_decode_work
        raise ImageError("decode_work_exceeded", field="image", limit=n, work=work)


def png_data_bytes(wk: Walk) -> int:
    """Inflated bytes of the first image: a filter byte + packed samples per row (Adam7 aware)."""
    passes = _ADAM7 if wk.png_interlace else ((0, 0, 1, 1),)
    total = 0
    for x0, y0, dx, dy in passes:
        pw, ph = -(-(wk.width - x0) // dx), -(-(wk.height - y0) // dy)
        if pw > 0 and ph > 0:
            total += ph * (1 + _ceil(pw * wk.png_bits_per_pixel, 8))
    return total


def check_png_rows(data: bytes, wk: Walk, field: str | None) -> None:
    """400 image_corrupt when the IDAT data inflates to fewer bytes than the rows need.

    Inflated 1 MiB at a time and thrown away (memory stays flat); stops at the expected size.
    """
    need = png_data_bytes(wk)
    got, z = 0, zlib.decompressobj()
    try:
        for off, n in wk.png_idat:
            buf = data[off:off + n]
            while buf and got < need and not z.eof:
                got += len(z.decompress(buf, 1 << 20))
                buf = z.unconsumed_tail
            if got >= need or z.eof:
                break
    except zlib.error:
        return  # Pillow has already refused (or will refuse) a broken stream
    if got < need:
        row = 1 + _ceil(wk.width * wk.png_bits_per_pixel, 8)
        rows = f"about {got // row} of {wk.height} rows" if not wk.png_interlace else \
            f"{got:,} of {need:,} bytes"
        raise ImageError("image_corrupt", field=field, variant="rows_missing", rows=rows)
