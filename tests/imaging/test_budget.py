"""Decode work and memory bounded from the file's structure (app/imaging/budget.py), each limit at
LIMIT and LIMIT+1, and the bombs of issue 16 refused before Pillow decodes (or, for WebP, opens)."""

from __future__ import annotations

import contextlib
import io
import zlib
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image, ImageFile

from app.config import Settings
from app.imaging.budget import DecodeCost, check_image, check_request, png_data_bytes
from app.imaging.decode import ImageError, decode_image
from app.imaging.probe import probe_image_cost
from app.imaging.walk import walk
from tests.decode_bombs import (
    animated_webp,
    apng,
    gif_frames,
    jpeg_scan_count,
    png_chunk,
    png_header,
    png_many_chunks,
    png_raw,
    png_rows,
    progressive_jpeg,
)

S = Settings()


def refused(data: bytes, settings: Settings = S, **kw: object) -> ImageError:
    with pytest.raises(ImageError) as info:
        decode_image(data, settings=settings, **kw)  # type: ignore[arg-type]
    return info.value


@pytest.fixture
def no_decode(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if Pillow opens (WebP allocates its canvas there) or decodes anything."""
    def fail(*_: object, **__: object) -> None:
        pytest.fail("Pillow was reached")
    monkeypatch.setattr(ImageFile.ImageFile, "load", fail)
    monkeypatch.setattr(Image, "open", fail)
    yield


def test_jpeg_scans_at_limit_and_limit_plus_one() -> None:
    base = jpeg_scan_count(progressive_jpeg(64))  # libjpeg's default progression: 10 scans
    at = progressive_jpeg(64, S.max_jpeg_scans - base)
    assert jpeg_scan_count(at) == S.max_jpeg_scans == 100
    assert walk(at, "JPEG", max_scans=100, max_frames=1, max_items=10_000).scans == 100
    assert decode_image(at).size == (64, 64)
    e = refused(progressive_jpeg(64, S.max_jpeg_scans - base + 1))
    assert (e.status, e.code, e.field, e.limit) == (413, "image_too_many_scans", "image", 100)


def test_the_4000_px_repeated_scan_bomb_is_refused_before_decoding(no_decode: None) -> None:
    bomb = progressive_jpeg(4000, 8000, scan=5)  # ~10 s of CPU per decode without the walk
    assert len(bomb) < 400_000
    assert refused(bomb).code == "image_too_many_scans"


def test_progressive_jpeg_counts_its_coefficient_buffer() -> None:
    data = progressive_jpeg(4000)
    (_, h, w), cost = probe_image_cost(data, max_side=1000)
    assert (h, w) == (1000, 1000)
    # 4:2:0: Y 500×500 blocks + Cb, Cr 250×250 each, 128 bytes per block; canvas 1000² × 4
    assert cost.decode_bytes == (500 * 500 + 2 * 250 * 250) * 128 + 1000 * 1000 * 4
    assert cost.work == 4000 * 4000 * 10


def test_90_byte_animated_webp_refused_before_pillow_opens_it(no_decode: None) -> None:
    bomb = animated_webp(4000)
    assert len(bomb) == 90
    e = refused(bomb)
    assert (e.status, e.code, e.field, e.limit) == (413, "image_decode_too_large", "image",
                                                    S.max_decode_bytes)


def test_webp_decode_bytes_at_limit_and_limit_plus_one() -> None:
    # 4 canvases × 4 bytes: 16 · 2896² = 134,189,056 ≤ 128 MiB < 16 · 2897²
    (_, h, w), cost = probe_image_cost(animated_webp(2896), max_side=64)
    assert cost.decode_bytes == 16 * 2896**2 <= S.max_decode_bytes
    assert refused(animated_webp(2897), max_side=64).code == "image_decode_too_large"
    small = S.model_copy(update={"max_decode_bytes": 16 * 64 * 64})
    assert decode_image(animated_webp(64), settings=small).size == (64, 64)
    assert refused(animated_webp(65), small).limit == 16 * 64 * 64


def test_sixteen_bit_rgba_png_at_the_pixel_limit_fits_the_decode_budget() -> None:
    header = png_header(4000, 4000, depth=16, colour=6)  # 8 bytes per pixel
    (_, _, _), cost = probe_image_cost(header + png_raw(1, 1, 2)[33:])
    assert cost.decode_bytes == 4000 * 4000 * 8 <= S.max_decode_bytes


@pytest.mark.parametrize("make", [gif_frames, apng, lambda n: animated_webp(8, frames=n)],
                         ids=["gif", "apng", "webp"])
def test_frames_at_limit_and_limit_plus_one(make: object) -> None:
    assert callable(make)
    assert "first_frame_only" in [n.code for n in decode_image(make(S.max_image_frames)).notes]
    e = refused(make(S.max_image_frames + 1))
    assert (e.status, e.code, e.limit) == (413, "image_too_many_frames", 1000)


@pytest.mark.parametrize("data", [gif_frames(3, frame_side=5000), apng(3, frame_side=5000)],
                         ids=["gif", "apng"])
def test_a_later_frame_larger_than_the_limits_is_refused(data: bytes) -> None:
    e = refused(data)
    assert (e.status, e.code) == (413, "image_too_many_pixels")


def test_png_chunks_at_limit_and_limit_plus_one() -> None:
    at = png_many_chunks(S.max_image_chunks - 3)  # + IHDR, IDAT, IEND
    assert decode_image(at).size == (8, 8)
    e = refused(png_many_chunks(S.max_image_chunks - 2))
    assert (e.status, e.code, e.limit) == (413, "image_too_many_chunks", 10_000)


def test_png_whose_image_data_ends_early_is_refused() -> None:
    full = decode_image(png_rows(100, 100))
    assert full.array.min() == 1.0
    e = refused(png_rows(100, 100, 99))
    assert (e.status, e.code) == (400, "image_corrupt")
    assert "99 of 100 rows" in e.message_en


@pytest.mark.parametrize("w,h", [(1, 1), (7, 5), (33, 17)])
def test_interlaced_png_needs_every_adam7_byte(w: int, h: int) -> None:
    need = png_data_bytes(walk(png_raw(w, h, 0, interlace=1), "PNG", max_scans=1,
                               max_frames=1, max_items=10))
    assert decode_image(png_raw(w, h, need, interlace=1)).size == (h, w)
    assert refused(png_raw(w, h, need - 1, interlace=1)).code == "image_corrupt"


def test_request_sums_at_limit_and_limit_plus_one() -> None:
    costs = [DecodeCost(4096, 4096), DecodeCost(4096, 4096)]
    check_request(costs, S.model_copy(update={"max_request_decode_bytes": 8192,
                                              "max_decode_work": 8192}))
    with pytest.raises(ImageError) as info:
        check_request(costs, S.model_copy(update={"max_request_decode_bytes": 8191}))
    assert (info.value.code, info.value.limit) == ("request_decode_too_large", 8191)
    with pytest.raises(ImageError) as info:
        check_request(costs, S.model_copy(update={"max_decode_work": 8191}))
    assert (info.value.code, info.value.limit) == ("decode_work_exceeded", 8191)


def test_jpeg_gray_is_convert_l_of_the_rgb_decode() -> None:
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=80)
    expected = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("L")) / np.float32(255)
    np.testing.assert_array_equal(decode_image(buf.getvalue(), color="gray").array[0], expected)


def test_alpha_on_white_equals_alpha_composite_for_every_value_and_alpha() -> None:
    v, a = np.meshgrid(np.arange(256, dtype=np.uint8), np.arange(256, dtype=np.uint8))
    rgba = Image.fromarray(np.stack([v, v, v, a], -1), "RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    ref = np.asarray(Image.alpha_composite(white, rgba).convert("RGB"), np.float32) / 255
    buf = io.BytesIO()
    rgba.save(buf, "PNG")
    np.testing.assert_array_equal(decode_image(buf.getvalue(), color="rgb").array,
                                  ref.transpose(2, 0, 1))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP", "BMP"])
def test_walk_survives_truncated_and_mutated_files(fmt: str) -> None:
    """Seeded mutations: the walk either returns or raises ImageError (never anything else)."""
    base = {"JPEG": progressive_jpeg(32), "PNG": apng(3), "GIF": gif_frames(5),
            "WEBP": animated_webp(16, frames=3)}.get(fmt)
    if base is None:
        buf = io.BytesIO()
        Image.new("RGB", (8, 8)).save(buf, "BMP")
        base = buf.getvalue()
    rng = np.random.default_rng(7)
    for _ in range(400):
        data = bytearray(base[: rng.integers(len(base) // 4, len(base) + 1)])
        for pos in rng.integers(0, len(data), rng.integers(1, 6)):
            data[pos] = int(rng.integers(0, 256))
        with contextlib.suppress(ImageError):
            check_image(bytes(data), fmt, S, "image", max_side=int(rng.integers(1, 64)))


def _jpeg_chunks(data: bytes) -> int:
    return walk(data, "JPEG", max_scans=10**6, max_frames=1, max_items=10**9).chunks


@pytest.mark.parametrize("pad", [b"\xff", b"\x00"], ids=["fill", "junk"])
def test_jpeg_fill_and_junk_before_the_first_scan_count_as_chunks(pad: bytes) -> None:
    """Pillow parses a JPEG header one byte at a time: 10 MB of fill cost it seconds."""
    d = progressive_jpeg(64)
    app0_end = 4 + int.from_bytes(d[4:6], "big")
    free = S.max_image_chunks - _jpeg_chunks(d)
    at = d[:app0_end] + pad * free + d[app0_end:]
    assert _jpeg_chunks(at) == S.max_image_chunks
    assert decode_image(at).size == (64, 64)
    e = refused(d[:app0_end] + pad * (free + 1) + d[app0_end:])
    assert (e.code, e.limit) == ("image_too_many_chunks", S.max_image_chunks)


def test_scans_behind_junk_are_still_counted() -> None:
    d = progressive_jpeg(64, S.max_jpeg_scans - 10 + 1)  # 101 scans
    sos = d.rindex(b"\xff\xda")  # the last scan: entropy data never holds FF DA
    hidden = d[:sos] + b"junk" + d[sos:]  # libjpeg skips junk before a marker and decodes on
    assert refused(hidden).code == "image_too_many_scans"


def _png_with_text(chunks: int) -> bytes:
    """An 8×8 PNG with `chunks` zTXt chunks, each inflating to 1,000,000 bytes (~1 KB each)."""
    z = zlib.compress(b"A" * 1_000_000, 9)
    text = b"".join(png_chunk(b"zTXt", b"k%d\0\0" % i + z) for i in range(chunks))
    raw = zlib.compress((b"\0" + b"\x80" * 8) * 8)
    return png_header(8, 8) + text + png_chunk(b"IDAT", raw) + png_chunk(b"IEND", b"")


def test_png_text_metadata_is_bounded_to_4_mib() -> None:
    assert decode_image(_png_with_text(4)).size == (8, 8)  # 4,000,000 bytes ≤ 4 MiB
    e = refused(_png_with_text(5))
    assert (e.status, e.code) == (400, "image_corrupt") and "text chunks" in e.message_en
