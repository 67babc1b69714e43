"""Walk an upload's container structure (markers, chunks, blocks) without decoding any pixel.

`walk(data, max_items)` → `Walk`: the canvas size, the frames the file holds and each frame's
extent, JPEG scans and coefficient layout, PNG chunks. Every loop stops after `max_items`
structures (segments, chunks, blocks, frames), so the walk itself is bounded. A structure that
cannot be parsed ends the walk quietly: Pillow then reports the broken file (400) as before.
Pure bytes parsing: no Pillow, no NumPy.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field

_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_PROGRESSIVE = frozenset({0xC2, 0xC6, 0xCA, 0xCE})
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_FILL = re.compile(rb"\xff+")


class TooManyError(Exception):
    """More than `limit` structures of `kind` ("scans", "frames", "chunks")."""

    def __init__(self, kind: str, limit: int) -> None:
        super().__init__(kind)
        self.kind, self.limit = kind, limit


@dataclass
class Walk:
    """What the decoder will face. width, height: the canvas; frames: (x1, y1) extents.

    bytes_per_pixel: of the decoder's canvas (Pillow stores RGB as 4 bytes; 16-bit samples count
    2 bytes each); canvases: canvas-sized buffers the decoder fills (libwebp's animation decoder,
    which Pillow uses for every WebP: 2 canvases + the frame copy + the image = 4);
    components: JPEG (h_samp, v_samp) per component; scans: JPEG SOS count (1 otherwise).
    png_rows: PNG (expected inflated bytes of the first image, IDAT data) for the row check.
    """

    format: str
    width: int = 0
    height: int = 0
    bytes_per_pixel: int = 4
    canvases: int = 1
    scans: int = 1
    progressive: bool = False
    components: list[tuple[int, int]] = field(default_factory=list)
    frames: list[tuple[int, int]] = field(default_factory=list)
    chunks: int = 0
    declared_frames: int = 1
    png_idat: list[tuple[int, int]] = field(default_factory=list)
    png_interlace: int = 0
    png_bits_per_pixel: int = 8


def _count(n: int, kind: str, limit: int) -> int:
    if n > limit:
        raise TooManyError(kind, limit)
    return n


def _jpeg_entropy_end(data: bytes, j: int) -> int:
    """Offset of the marker that ends the entropy-coded data starting at j: FF followed by
    anything but 00 (stuffing), D0–D7 (restart) or FF (fill). One regex search, C speed."""
    m = _MARKER.search(data, j)
    return m.start() if m else len(data)


def walk_jpeg(data: bytes, max_scans: int, max_items: int) -> Walk:
    """Markers from SOI to the first EOI: SOF (size, sampling), SOS count (≤ max_scans).

    Fill bytes (FF FF …) and junk between segments are skipped as libjpeg skips them (so no scan
    hides behind them); before the first SOS each of their bytes counts as a chunk, because
    Pillow's header parser reads them one byte at a time in Python.
    """
    w = Walk("JPEG", scans=0)
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF or data[i + 1] == 0xFF:  # junk, or a run of fill bytes
            nxt = (data.find(b"\xff", i) if data[i] != 0xFF
                   else _FILL.match(data, i).end() - 1)  # type: ignore[union-attr]
            nxt = len(data) if nxt < 0 else nxt
            if not w.scans:
                w.chunks = _count(w.chunks + nxt - i, "chunks", max_items)
            i = nxt
            continue
        marker = data[i + 1]
        w.chunks = _count(w.chunks + 1, "chunks", max_items)
        if marker == 0xD9:
            break
        if marker in (0x00, 0x01) or 0xD0 <= marker <= 0xD8:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2:i + 4])
        end = i + 2 + length
        if marker in _SOF and not w.components and length >= 8:
            depth, h, wd, nf = struct.unpack(">BHHB", data[i + 4:i + 10])
            w.height, w.width, w.progressive = h, wd, marker in _PROGRESSIVE
            comps = data[i + 10:i + 10 + 3 * nf]
            w.components = [(c >> 4, c & 15) for c in comps[1::3]]
            w.bytes_per_pixel = (1 if nf == 1 else 4) * (2 if depth > 8 else 1)
        if marker == 0xDA:
            w.scans = _count(w.scans + 1, "scans", max_scans)
            end = _jpeg_entropy_end(data, end)
        i = end
    w.scans = max(1, w.scans)
    w.frames = [(w.width, w.height)]
    return w


def walk_png(data: bytes, max_frames: int, max_items: int) -> Walk:
    """Chunks to IEND (≤ max_items): IHDR, acTL num_frames (≤ max_frames), fcTL extents, IDAT."""
    w = Walk("PNG")
    i, in_first = 8, True
    while i + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[i:i + 8])
        body = data[i + 8:i + 8 + length]
        w.chunks = _count(w.chunks + 1, "chunks", max_items)
        if kind == b"IHDR" and len(body) >= 13:
            wd, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body[:13])
            w.width, w.height, w.png_interlace = wd, h, interlace
            ch = _PNG_CHANNELS.get(colour, 4)
            w.png_bits_per_pixel = ch * depth
            storage = 1 if ch == 1 and depth <= 8 and colour in (0, 3) else 4
            if ch == 1 and depth == 16:
                storage = 2
            w.bytes_per_pixel = max(storage, ch * (2 if depth == 16 else 1))
            w.frames = [(wd, h)]
        elif kind == b"acTL" and len(body) >= 8:
            w.declared_frames = _count(struct.unpack(">I", body[:4])[0], "frames", max_frames)
        elif kind == b"fcTL" and len(body) >= 20:
            fw, fh, fx, fy = struct.unpack(">IIII", body[4:20])
            w.frames.append((fx + fw, fy + fh))
            _count(len(w.frames) - 1, "frames", max_frames)
        elif kind == b"IDAT" and in_first:
            w.png_idat.append((i + 8, length))
        elif kind == b"fdAT" or (kind != b"IDAT" and w.png_idat):
            in_first = False
        if kind == b"IEND":
            break
        i += 12 + length
    return w


def _skip_blocks(data: bytes, j: int, w: Walk, max_items: int) -> int:
    """Past a GIF sub-block sequence (size byte, data …, 0). Encoders write full 255-byte
    sub-blocks but the last, so every shorter one counts as a chunk (bounds the Python loop)."""
    while j < len(data):
        n = data[j]
        j += 1 + n
        if n == 0:
            break
        if n < 255:
            w.chunks = _count(w.chunks + 1, "chunks", max_items)
    return j


def walk_gif(data: bytes, max_frames: int, max_items: int) -> Walk:
    """Blocks to the trailer: frame count (≤ max_frames) and each frame's extent."""
    wd, h, flags = struct.unpack("<HHB", data[6:11])
    w = Walk("GIF", wd, h, bytes_per_pixel=1)
    j = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    while j < len(data):
        tag = data[j]
        w.chunks = _count(w.chunks + 1, "chunks", max_items)
        if tag == 0x21 and j + 2 <= len(data):
            j = _skip_blocks(data, j + 2, w, max_items)
        elif tag == 0x2C and j + 10 <= len(data):
            x, y, fw, fh, f = struct.unpack("<HHHHB", data[j + 1:j + 10])
            w.frames.append((x + fw, y + fh))
            _count(len(w.frames), "frames", max_frames)
            j += 10 + (3 << ((f & 7) + 1) if f & 0x80 else 0)
            j = _skip_blocks(data, j + 1, w, max_items)  # + LZW minimum code size
        else:
            break
    if w.frames:  # Pillow grows the canvas to the first frame's extent
        w.width, w.height = max(wd, w.frames[0][0]), max(h, w.frames[0][1])
    w.declared_frames = max(1, len(w.frames))
    return w


def _u24(b: bytes) -> int:
    return int.from_bytes(b[:3], "little")


def walk_webp(data: bytes, max_frames: int, max_items: int) -> Walk:
    """RIFF chunks: the canvas (VP8X / VP8 / VP8L), ANMF count (≤ max_frames) and extents."""
    w = Walk("WEBP", bytes_per_pixel=4, canvases=4)
    i = 12
    while i + 8 <= len(data):
        kind, length = data[i:i + 4], struct.unpack("<I", data[i + 4:i + 8])[0]
        body = data[i + 8:i + 8 + min(length, 30)]
        w.chunks = _count(w.chunks + 1, "chunks", max_items)
        if kind == b"VP8X" and len(body) >= 10:
            w.width, w.height = _u24(body[4:7]) + 1, _u24(body[7:10]) + 1
        elif kind == b"ANMF" and len(body) >= 12:
            x, y = 2 * _u24(body[0:3]), 2 * _u24(body[3:6])
            w.frames.append((x + _u24(body[6:9]) + 1, y + _u24(body[9:12]) + 1))
            _count(len(w.frames), "frames", max_frames)
        elif kind == b"VP8 " and not w.width and len(body) >= 10:
            w.width, w.height = (struct.unpack("<H", body[6:8])[0] & 0x3FFF,
                                 struct.unpack("<H", body[8:10])[0] & 0x3FFF)
        elif kind == b"VP8L" and not w.width and len(body) >= 5:
            bits = struct.unpack("<I", body[1:5])[0]
            w.width, w.height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        i += 8 + length + (length & 1)
    w.frames = w.frames or [(w.width, w.height)]
    w.declared_frames = len(w.frames)
    return w


def walk_bmp(data: bytes) -> Walk:
    """Width and height from the DIB header (negative height = top-down)."""
    size = struct.unpack("<I", data[14:18])[0]
    if size not in (12, 16, 40, 52, 56, 64, 108, 124):  # not a DIB header Pillow knows
        return Walk("BMP")
    if size == 12:
        wd, h = struct.unpack("<HH", data[18:22])
    else:
        wd, h = struct.unpack("<ii", data[18:26])
    w = Walk("BMP", abs(wd), abs(h))
    w.frames = [(w.width, w.height)]
    return w


def walk(data: bytes, fmt: str, *, max_scans: int, max_frames: int, max_items: int) -> Walk:
    """The walk for `fmt` (as sniffed from the magic bytes); struct.error → partial walk."""
    try:
        if fmt == "JPEG":
            return walk_jpeg(data, max_scans, max_items)
        if fmt == "PNG":
            return walk_png(data, max_frames, max_items)
        if fmt == "GIF":
            return walk_gif(data, max_frames, max_items)
        if fmt == "WEBP":
            return walk_webp(data, max_frames, max_items)
        return walk_bmp(data)
    except (struct.error, IndexError):
        return Walk(fmt)
