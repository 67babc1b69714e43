"""Hostile inputs for the API, each made here in code: pixel bombs (by data and by header),
broken and disguised files, odd image modes, and hostile JSON. Used by
tests/test_hostile_corpus.py (status and shape) and loadtest/hostile.py (time and memory).

Each `Case` is one request (httpx/TestClient kwargs) with the statuses that are correct for it
and, for a 200, a check of the response.
"""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image, PngImagePlugin

from tests.decode_bombs import (
    animated_webp,
    apng,
    gif_frames,
    png_many_chunks,
    png_rows,
    progressive_jpeg,
)

IDENTITY_PAD1 = {"kernel": "identity", "pad": 1}
RGB_VALUES = {**IDENTITY_PAD1, "color": "rgb", "include_values": True}
# Left half transparent (flattened onto white, 1, 1, 1), right half blue (0, 0, 1).
PALETTE_ON_WHITE = (0.5, 0.5, 1.0)


@dataclass(frozen=True)
class Case:
    id: str
    kwargs: dict[str, Any]
    expect: frozenset[int]
    check: Callable[[dict], None] | None = field(default=None, compare=False)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(w: int, h: int, depth: int = 8, colour: int = 0) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, colour,
                                                                  0, 0, 0))


def bomb_png(side: int = 20000) -> bytes:
    """A real side×side 1-bit PNG of zeros: ~50 MB of pixels in ~50 KB (pixel bomb by data)."""
    comp, row, parts = zlib.compressobj(9), b"\0" * (1 + (side + 7) // 8), []
    for _ in range(side):
        parts.append(comp.compress(row))
    parts.append(comp.flush())
    return png_header(side, side, 1) + png_chunk(b"IDAT", b"".join(parts)) + png_chunk(b"IEND", b"")


def header_bomb_png(w: int = 100_000, h: int = 100_000) -> bytes:
    """A PNG whose header claims w×h with one tiny IDAT (pixel bomb by header dimensions)."""
    idat = png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
    return png_header(w, h) + idat + png_chunk(b"IEND", b"")


def header_bomb_gif(w: int = 65535, h: int = 65535) -> bytes:
    """A GIF whose logical screen and one frame claim w×h."""
    return (b"GIF89a" + struct.pack("<HHBBB", w, h, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
            + b"," + struct.pack("<HHHHB", 0, 0, w, h, 0) + b"\x02\x02\x44\x01\x00;")


def encode(img: Image.Image, fmt: str, **opts: Any) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **opts)
    return buf.getvalue()


def gradient(w: int = 64, h: int = 48, mode: str = "L") -> Image.Image:
    a = (np.add.outer(np.arange(h) * 255 // max(1, h - 1), np.arange(w) * 0)).astype(np.uint8)
    return Image.fromarray(a).convert(mode)


def many_frame_gif(frames: int = 1000) -> bytes:
    imgs = [Image.new("P", (32, 32), i % 256) for i in range(frames)]
    return encode(imgs[0], "GIF", save_all=True, append_images=imgs[1:], duration=10, loop=0)


def sixteen_bit_png() -> bytes:
    """A 16-bit grayscale PNG: left column 0, right column 65535."""
    a = np.tile(np.linspace(0, 65535, 16).astype(np.uint16), (8, 1))
    return encode(Image.frombytes("I;16", (16, 8), a.astype("<u2").tobytes()), "PNG")


def palette_transparent_png() -> bytes:
    img = Image.new("P", (16, 16), 1)
    img.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    img.paste(0, (0, 0, 8, 16))
    return encode(img, "PNG", transparency=0)


def huge_text_png(mib: int = 4) -> bytes:
    """A small PNG carrying mib MiB of compressed text metadata (zTXt)."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "A" * (mib * 2**20), zip=True)
    return encode(gradient(16, 16), "PNG", pnginfo=info)


def polyglot_gif_html() -> bytes:
    """A valid GIF with HTML/JS appended (GIFAR-style): decodes as the GIF."""
    tail = b"<html><script>alert(1)</script></html>PK\x05\x06" + b"\0" * 18
    return encode(gradient(8, 8), "GIF") + tail


def polyglot_png_zip() -> bytes:
    return encode(gradient(8, 8), "PNG") + b"PK\x03\x04" + b"\0" * 26 + b"<?php echo 1; ?>"


def upload(data: bytes, spec: dict | None = None, name: str = "x.png",
           ctype: str = "application/octet-stream") -> dict[str, Any]:
    return {"method": "POST", "url": "/api/convolve",
            "files": {"image": (name, data, ctype)},
            "data": {"spec": json.dumps(spec or IDENTITY_PAD1)}}


def post_json(body: Any, url: str = "/api/convolve") -> dict[str, Any]:
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body, allow_nan=True)
    return {"method": "POST", "url": url, "content": raw,
            "headers": {"content-type": "application/json"}}


def conv(input_: Any = None, **spec: Any) -> dict[str, Any]:
    return post_json({"input": input_ if input_ is not None else [[1, 2], [3, 4]], "spec": spec})


def shape_is(expected: list[int]) -> Callable[[dict], None]:
    def check(body: dict) -> None:
        assert body["shape"] == expected, body["shape"]
    return check


def input_range(lo: float, hi: float, shape: list[int]) -> Callable[[dict], None]:
    """A 200 whose input stage spans [lo, hi] (pixel scale [0, 1] honoured) with this shape."""
    def check(body: dict) -> None:
        assert body["shape"] == shape, body["shape"]
        stage = body["stages"][0]
        assert abs(stage["min"] - lo) < 0.02 and abs(stage["max"] - hi) < 0.02, stage
    return check


def rgb_input(shape: list[int], rgb: tuple[float, float, float]) -> Callable[[dict], None]:
    """A 200 whose input stage (values_b64) has this shape and these per-channel means."""
    def check(body: dict) -> None:
        stage = body["stages"][0]
        assert stage["shape"] == shape, stage["shape"]
        values = np.frombuffer(base64.b64decode(stage["values_b64"]), "<f4").reshape(shape)
        means = values.mean(axis=(0, 2, 3))
        assert np.allclose(means, rgb, atol=0.06), means
    return check


S = frozenset


def cases() -> list[Case]:
    """The corpus (built on each call: some cases are megabytes)."""
    png = encode(gradient(), "PNG")
    jpeg = encode(gradient(mode="RGB"), "JPEG")
    cmyk = Image.new("CMYK", (24, 16), (0, 255, 255, 0))  # pure red in CMYK
    return [
        Case("pixel-bomb-data-png-20000x20000", upload(bomb_png()), S({413})),
        Case("pixel-bomb-header-png-100000x100000", upload(header_bomb_png()), S({413})),
        Case("pixel-bomb-header-gif-65535x65535", upload(header_bomb_gif()), S({413})),
        Case("pixel-bomb-header-png-1x20M", upload(header_bomb_png(1, 20_000_000)), S({413})),
        Case("truncated-png", upload(png[: len(png) // 2]), S({400})),
        Case("truncated-jpeg", upload(jpeg[: len(jpeg) // 2], name="x.jpg"), S({400})),
        Case("wrong-magic-png", upload(b"\x89PNX" + png[4:]), S({400, 415})),
        Case("text-named-png", upload(b"hello, this is not an image\n" * 20), S({415})),
        Case("tiff-unsupported", upload(encode(gradient(), "TIFF"), name="x.tif"), S({415})),
        Case("polyglot-gif-html", upload(polyglot_gif_html(), name="x.gif"), S({200}),
             shape_is([1, 1, 8, 8])),
        Case("polyglot-png-zip", upload(polyglot_png_zip()), S({200}), shape_is([1, 1, 8, 8])),
        Case("huge-metadata-ztxt-4mib", upload(huge_text_png()), S({200, 400}),
             shape_is([1, 1, 16, 16])),
        Case("animated-gif-1000-frames", upload(many_frame_gif(), name="x.gif"), S({200}),
             shape_is([1, 1, 32, 32])),
        Case("png-16-bit", upload(sixteen_bit_png()), S({200}),
             input_range(0.0, 1.0, [1, 1, 8, 16])),
        Case("jpeg-cmyk", upload(encode(cmyk, "JPEG"), RGB_VALUES, name="x.jpg"), S({200}),
             rgb_input([1, 3, 16, 24], (1.0, 0.0, 0.0))),
        Case("png-palette-transparency", upload(palette_transparent_png(), RGB_VALUES),
             S({200}), rgb_input([1, 3, 16, 16], PALETTE_ON_WHITE)),
        Case("zero-bytes", upload(b""), S({400})),
        Case("one-by-one-png", upload(encode(Image.new("L", (1, 1), 255), "PNG")), S({200}),
             input_range(1.0, 1.0, [1, 1, 1, 1])),
        Case("enormous-json-array-flat", post_json(b'{"input": [' + b"0," * 4_000_000 + b'0]}'),
             S({413, 422})),
        Case("enormous-json-array-over-limit",
             post_json(b'{"input": [' + b"0," * 6_000_000 + b'0]}'), S({413})),
        Case("enormous-json-kernel-4M-values",
             post_json(b'{"input": [[1]], "spec": {"kernel": [' + b"0," * 3_999_999 + b"0]}}"),
             S({422})),
        Case("deeply-nested-json", post_json(b'{"input": ' + b"[" * 100_000 + b"]" * 100_000
                                             + b"}"), S({400, 422})),
        Case("nan-in-input", conv([[float("nan"), 1], [1, 1]], kernel=[[1]]), S({422})),
        Case("infinity-in-input", conv([[float("inf"), 1], [1, 1]], kernel=[[1]]), S({422})),
        Case("overflow-1e999-in-kernel",
             post_json('{"input": [[1, 2], [3, 4]], "spec": {"kernel": [[1e999]]}}'), S({422})),
        Case("nan-in-bias", conv(kernel=[[1]], bias=float("nan")), S({422})),
        Case("stride-zero", conv(kernel=[[1]], stride=0), S({422})),
        Case("stride-negative", conv(kernel=[[1]], stride=-1), S({422})),
        Case("stride-huge", conv(kernel=[[1]], stride=10**12), S({422})),
        Case("pad-negative", conv(kernel=[[1]], pad=-3), S({422})),
        Case("pad-huge", conv(kernel=[[1]], pad=10**9), S({422})),
        Case("kernel-larger-than-padded-input", conv(kernel=np.ones((5, 5)).tolist(), pad=1),
             S({422})),
        Case("kernel-non-numeric", conv(kernel=[["a", "b"], ["c", "d"]]), S({422})),
        Case("kernel-null-and-ragged", conv(kernel=[[1, None], [1]]), S({422})),
        Case("kernel-too-large-32x32", conv(np.zeros((40, 40)).tolist(),
                                             kernel=np.ones((32, 32)).tolist()), S({422})),
        Case("input-ragged", conv([[1, 2, 3], [4, 5]], kernel=[[1]]), S({422})),
        Case("spec-not-json", {**upload(png), "data": {"spec": "{kernel: sobel"}}, S({400, 422})),
        Case("seventeen-images", {"method": "POST", "url": "/api/convolve",
                                  "files": [("image", (f"{i}.png", png, "image/png"))
                                            for i in range(17)],
                                  "data": {"spec": json.dumps(IDENTITY_PAD1)}}, S({422})),
        Case("jpeg-progressive-4000-8000-repeated-scans",
             upload(progressive_jpeg(4000, 8000, scan=5), {"kernel": [[1]], "max_side": 64},
                    name="x.jpg"), S({413})),
        Case("webp-animated-90-bytes-4000x4000", upload(animated_webp(4000), name="x.webp"),
             S({413})),
        Case("webp-animated-4000x4000-x16", {
            "method": "POST", "url": "/api/convolve",
            "files": [("image", (f"{i}.webp", animated_webp(4000), "image/webp"))
                      for i in range(16)],
            "data": {"spec": json.dumps({"kernel": [[1]], "max_side": 64})}}, S({413})),
        Case("webp-animated-1001-frames", upload(animated_webp(8, 1001), name="x.webp"),
             S({413})),
        Case("gif-1001-frames", upload(gif_frames(1001), name="x.gif"), S({413})),
        Case("gif-second-frame-65535", upload(gif_frames(2, frame_side=65535), name="x.gif"),
             S({413})),
        Case("apng-acTL-1001-frames", upload(apng(1001)), S({413})),
        Case("png-10000-chunks", upload(png_many_chunks(10_000)), S({413})),
        Case("png-idat-ends-early", upload(png_rows(256, 256, 128)), S({400})),
        Case("predict-nan", post_json({"input": [[float("nan")] * 28] * 28},
                                      "/api/models/simple-convnet/predict"), S({422})),
    ]
