"""Decode bombs made in code: small files whose decode costs far more than their size says.

Used by tests/imaging/test_budget.py, tests/hostile_inputs.py (the corpus) and
loadtest/decode_cost.py (CPU seconds and peak RSS of one decode, before/after the header walk).
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(w: int, h: int, depth: int = 8, colour: int = 0, interlace: int = 0) -> bytes:
    ihdr = struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, interlace)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)


def _jpeg_segments(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of every marker segment before the first SOS's entropy data, then of scans.

    Only what the splicer needs: the offset of every SOS marker (FF DA) and of EOI (FF D9).
    """
    out, i = [], 2
    while i < len(data) - 1:
        marker = data[i + 1]
        if marker == 0xD9:
            out.append((i, i + 2))
            break
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        end = i + 2 + length
        if marker == 0xDA:  # entropy data runs to the next marker that is not FF00 / RSTn
            j = end
            while True:
                j = data.index(b"\xff", j)
                if data[j + 1] == 0 or 0xD0 <= data[j + 1] <= 0xD7:
                    j += 2
                    continue
                break
            end = j
        out.append((i, end))
        i = end
    return out


def progressive_jpeg(side: int = 4000, repeats: int = 0, seed: int = 0, scan: int = -1,
                     noisy: bool = False) -> bytes:
    """A progressive side×side RGB JPEG with one scan (the last by default; scan=5 is a 31-byte
    luma AC refinement) repeated `repeats` more times before EOI. noisy: 80-pixel random blocks
    (large, CPU-heavy scans) instead of a smooth picture.

    Each repeat is a valid refinement scan libjpeg decodes again over the whole image (the
    attack of issue 16, item 1: ~10 ms of CPU per repeat at 4000×4000).
    """
    rng = np.random.default_rng(seed)
    cells = side // 50 + 1 if noisy else 3  # smooth: tiny refinement scans
    small = rng.integers(0, 256, (cells, cells, 3), dtype=np.uint8)
    img = Image.fromarray(small).resize((side, side), Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    img.save(buf, "JPEG", progressive=True, quality=75)
    data = buf.getvalue()
    segs = _jpeg_segments(data)
    start, end = [s for s in segs if data[s[0] + 1] == 0xDA][scan]
    eoi = segs[-1][0]
    return data[:eoi] + data[start:end] * repeats + data[eoi:]


def jpeg_scan_count(data: bytes) -> int:
    return sum(1 for s, _ in _jpeg_segments(data) if data[s + 1] == 0xDA)


def _riff(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b"")


def _u24(v: int) -> bytes:
    return struct.pack("<I", v)[:3]


def _one_pixel_vp8l() -> bytes:
    """The VP8L chunk of a 1×1 lossless WebP made by Pillow."""
    buf = io.BytesIO()
    Image.new("RGBA", (1, 1), (0, 0, 0, 255)).save(buf, "WEBP", lossless=True)
    data = buf.getvalue()
    i = data.index(b"VP8L")
    size = struct.unpack("<I", data[i + 4:i + 8])[0]
    return data[i:i + 8 + size + size % 2]


def animated_webp(canvas: int = 4000, frames: int = 1) -> bytes:
    """An animated WebP declaring a canvas×canvas canvas with `frames` 1×1 frames (~90 bytes)."""
    vp8x = _riff(b"VP8X", bytes([0x02, 0, 0, 0]) + _u24(canvas - 1) + _u24(canvas - 1))
    anim = _riff(b"ANIM", b"\0\0\0\0" + struct.pack("<H", 0))
    frame = _one_pixel_vp8l()
    anmf = _riff(b"ANMF", _u24(0) + _u24(0) + _u24(0) + _u24(0) + _u24(100) + b"\0" + frame)
    body = b"WEBP" + vp8x + anim + anmf * frames
    return b"RIFF" + struct.pack("<I", len(body)) + body


def png_rows(w: int, h: int, rows: int | None = None, value: int = 255) -> bytes:
    """A w×h 8-bit gray PNG whose single zlib stream holds only `rows` rows (all of them by
    default) and ends cleanly: with rows < h the image data ends early."""
    n = h if rows is None else rows
    raw = (b"\0" + bytes([value]) * w) * n
    return (png_header(w, h) + png_chunk(b"IDAT", zlib.compress(raw, 9))
            + png_chunk(b"IEND", b""))


def png_raw(w: int, h: int, raw_bytes: int, *, interlace: int = 0, depth: int = 8,
            colour: int = 0) -> bytes:
    """A w×h PNG whose zlib stream inflates to raw_bytes zero bytes (filter 0, black samples)."""
    return (png_header(w, h, depth, colour, interlace)
            + png_chunk(b"IDAT", zlib.compress(b"\0" * raw_bytes, 9)) + png_chunk(b"IEND", b""))


def png_many_chunks(chunks: int, w: int = 8, h: int = 8) -> bytes:
    """A small valid PNG with `chunks` empty private ancillary chunks before IDAT."""
    extra = png_chunk(b"zzZz", b"") * chunks
    raw = (b"\0" + b"\x80" * w) * h
    return (png_header(w, h) + extra + png_chunk(b"IDAT", zlib.compress(raw))
            + png_chunk(b"IEND", b""))


def apng(frames: int, w: int = 8, h: int = 8, frame_side: int | None = None) -> bytes:
    """An APNG with acTL num_frames = frames; the second fcTL may claim frame_side×frame_side."""
    raw = zlib.compress((b"\0" + b"\x80" * w) * h)

    def fctl(seq: int, fw: int, fh: int) -> bytes:
        return png_chunk(b"fcTL", struct.pack(">IIIIIHHBB", seq, fw, fh, 0, 0, 1, 10, 0, 0))

    out = png_header(w, h) + png_chunk(b"acTL", struct.pack(">II", frames, 0))
    out += fctl(0, w, h) + png_chunk(b"IDAT", raw)
    seq = 1
    for k in range(1, frames):
        side = frame_side if (frame_side and k == 1) else None
        out += fctl(seq, side or w, side or h)
        out += png_chunk(b"fdAT", struct.pack(">I", seq + 1) + raw)
        seq += 2
    return out + png_chunk(b"IEND", b"")


def gif_frames(frames: int, side: int = 1, frame_side: int | None = None) -> bytes:
    """A GIF of `frames` 1×1 frames (LZW: clear, 0, end) on a side×side screen; the second frame
    may claim frame_side×frame_side."""
    out = b"GIF89a" + struct.pack("<HHBBB", side, side, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    for k in range(frames):
        s = frame_side if (frame_side and k == 1) else side
        out += b"!\xf9\x04\x00\x0a\x00\x00\x00"  # graphic control: 0.1 s
        out += b"," + struct.pack("<HHHHB", 0, 0, s, s, 0) + b"\x02\x02\x44\x01\x00"
    return out + b";"


def smooth(side: int, fmt: str, mode: str = "RGB", **opts: object) -> bytes:
    """An ordinary smooth side×side picture in `fmt` (the honest baseline beside the bombs)."""
    rng = np.random.default_rng(0)
    small = rng.integers(0, 256, (3, 3, 4), dtype=np.uint8)
    img = Image.fromarray(small, "RGBA").resize((side, side), Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    img.convert(mode).save(buf, fmt, **opts)
    return buf.getvalue()
