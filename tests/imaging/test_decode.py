"""decode_image on real and hostile images made here: every format, every mode, every refusal."""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image, ImageFile

from app.config import Settings
from app.imaging.decode import DecodedImage, ImageError, decode_image


@pytest.fixture(autouse=True)
def _pillow_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """decode_image sets Image.MAX_IMAGE_PIXELS from its settings: undo the tiny test limits.

    Pillow's DecompressionBombWarning (between 1× and 2× its limit) is expected here: our header
    check refuses those images anyway.
    """
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        yield


def save(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_1bit_bomb(w: int, h: int) -> bytes:
    """A valid 1-bit gray PNG of w×h zero pixels, compressed row by row (20000² → ~48 KB)."""
    comp = zlib.compressobj(9)
    row = b"\x00" * (1 + (w + 7) // 8)
    idat = b"".join(comp.compress(row) for _ in range(h)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def refused(data: bytes, **kw: object) -> ImageError:
    with pytest.raises(ImageError) as info:
        decode_image(data, **kw)  # type: ignore[arg-type]
    return info.value


RGB = (200, 100, 50)
LUMA = (200 * 299 + 100 * 587 + 50 * 114) // 1000  # Pillow's L: ITU-R 601-2, 124


# ---- formats ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, kw", [("PNG", {}), ("BMP", {}), ("GIF", {}),
                                     ("WEBP", {"lossless": True})])
def test_lossless_formats_decode_exactly(fmt: str, kw: dict) -> None:
    data = save(Image.new("RGB", (6, 4), RGB), fmt, **kw)
    rgb = decode_image(data, color="rgb")
    assert rgb.format == fmt and rgb.array.shape == (3, 4, 6) and rgb.array.dtype == np.float32
    assert np.allclose(rgb.array[:, 0, 0], np.array(RGB) / 255, atol=1e-6)
    gray = decode_image(data, color="gray")
    assert gray.array.shape == (1, 4, 6)
    assert gray.array[0, 2, 3] == pytest.approx(LUMA / 255, abs=1 / 255)


def test_jpeg_decodes_close_to_the_colour() -> None:
    d = decode_image(save(Image.new("RGB", (16, 16), RGB), "JPEG", quality=95), color="rgb")
    assert d.format == "JPEG" and d.mode == "RGB" and d.notes == ()
    assert np.abs(d.array[:, 8, 8] * 255 - RGB).max() <= 3


def test_gray_png_values_are_k_over_255() -> None:
    a = np.arange(256, dtype=np.uint8).reshape(16, 16)
    d = decode_image(save(Image.fromarray(a), "PNG"))
    assert np.array_equal(d.array[0], a.astype(np.float32) / np.float32(255))
    assert d.array.min() == 0.0 and d.array.max() == 1.0


def test_one_by_one() -> None:
    d = decode_image(save(Image.new("L", (1, 1), 51), "PNG"))
    assert d.array.shape == (1, 1, 1) and d.array[0, 0, 0] == pytest.approx(0.2)


def test_one_bit_image_is_zero_or_one() -> None:
    img = Image.new("1", (4, 2), 0)
    img.putpixel((1, 1), 1)
    d = decode_image(save(img, "PNG"))
    assert d.mode == "1" and d.array[0, 1, 1] == 1.0 and d.array.sum() == 1.0


# ---- modes ------------------------------------------------------------------------------------

def test_sixteen_bit_png_scaled_by_65535_not_clipped() -> None:
    a = np.array([[0, 1, 32768, 65535]], dtype=np.uint16)
    d = decode_image(save(Image.fromarray(a), "PNG"), color="rgb")
    assert d.mode == "I;16" and d.array.shape == (3, 1, 4)
    assert np.allclose(d.array[0, 0], a[0] / 65535, rtol=0, atol=1e-7)
    assert d.array[1, 0, 1] == pytest.approx(1 / 65535) and d.array[2, 0, 3] == 1.0
    assert [n.code for n in d.notes] == ["high_bit_depth"]


def test_sixteen_bit_resize_stays_in_unit_range() -> None:
    a = (np.indices((40, 40)).sum(0) % 2 * 65535).astype(np.uint16)  # LANCZOS rings most here
    d = decode_image(save(Image.fromarray(a), "PNG"), max_side=13)
    assert d.array.shape == (1, 13, 13) and d.array.min() >= 0.0 and d.array.max() <= 1.0


def test_cmyk_jpeg_becomes_rgb() -> None:
    data = save(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG", quality=95)  # pure red
    d = decode_image(data, color="rgb")
    assert d.mode == "CMYK" and np.abs(d.array[:, 8, 8] - [1, 0, 0]).max() < 0.03


def test_palette_with_transparency_composited_on_white() -> None:
    img = Image.new("P", (4, 4), 0)
    img.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    img.putpixel((0, 0), 1)
    d = decode_image(save(img, "PNG", transparency=1), color="rgb")
    assert d.mode == "P"
    assert np.array_equal(d.array[:, 0, 0], [1, 1, 1])  # transparent blue → white
    assert np.array_equal(d.array[:, 1, 1], [1, 0, 0])
    assert [n.code for n in d.notes] == ["alpha_on_white"]


def test_rgba_half_transparent_black_on_white_is_mid_gray() -> None:
    d = decode_image(save(Image.new("RGBA", (2, 2), (0, 0, 0, 128)), "PNG"))
    assert d.array[0, 0, 0] == pytest.approx(127 / 255, abs=1 / 255)
    assert "alpha_on_white" in [n.code for n in d.notes]


def test_la_and_opaque_rgba() -> None:
    la = decode_image(save(Image.new("LA", (2, 2), (0, 0)), "PNG"))
    assert la.array[0, 0, 0] == 1.0  # fully transparent → white
    opaque = decode_image(save(Image.new("RGBA", (2, 2), (*RGB, 255)), "PNG"), color="rgb")
    assert opaque.notes == () and np.allclose(opaque.array[:, 0, 0] * 255, RGB)


# ---- EXIF orientation -------------------------------------------------------------------------

def exif_jpeg(orientation: int) -> bytes:
    """40 wide × 20 tall, white, with a red 8×8 block at the stored top-left corner."""
    img = Image.new("RGB", (40, 20), (255, 255, 255))
    img.paste((255, 0, 0), (0, 0, 8, 8))
    exif = Image.Exif()
    exif[0x0112] = orientation
    return save(img, "JPEG", quality=95, exif=exif.tobytes())


@pytest.mark.parametrize("orientation, shape, red_at", [
    (1, (20, 40), (2, 2)),
    (3, (20, 40), (17, 37)),   # rotated 180°: block at the bottom right
    (6, (40, 20), (2, 17)),    # rotate 90° clockwise to display: block at the top right
    (8, (40, 20), (37, 2)),    # rotate 90° counter-clockwise: block at the bottom left
])
def test_exif_orientation_applied(orientation: int, shape: tuple[int, int],
                                  red_at: tuple[int, int]) -> None:
    d = decode_image(exif_jpeg(orientation), color="rgb")
    assert d.array.shape[1:] == shape and d.orientation == orientation
    y, x = red_at
    assert np.abs(d.array[:, y, x] - [1, 0, 0]).max() < 0.1
    assert d.array[:, shape[0] // 2, shape[1] // 2].min() > 0.9  # the middle stays white
    assert ("exif_rotated" in [n.code for n in d.notes]) == (orientation != 1)


def test_exif_rotation_with_resize_reports_displayed_size() -> None:
    d = decode_image(exif_jpeg(6), max_side=20)
    assert d.array.shape == (1, 20, 10) and d.resized_from == (40, 20)


# ---- animation --------------------------------------------------------------------------------

def test_animated_gif_first_frame_only() -> None:
    frames = [Image.new("RGB", (8, 8), c) for c in [(255, 0, 0), (0, 255, 0), (0, 0, 255)]]
    frames += [Image.new("RGB", (8, 8), (i, i, i)) for i in range(200)]  # many frames
    data = save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=10)
    d = decode_image(data, color="rgb")
    assert d.format == "GIF" and np.array_equal(d.array[:, 4, 4], [1, 0, 0])
    assert [n.code for n in d.notes] == ["first_frame_only"]
    assert d.notes[0].message_en == "Animated image: only the first frame of 203 is used."
    assert d.notes[0].message_ja == (
        "アニメーション画像です。203 フレームのうち最初のフレームだけを使います。")


def test_animated_webp_first_frame_only() -> None:
    frames = [Image.new("RGB", (8, 8), c) for c in [(0, 0, 255), (255, 0, 0)]]
    data = save(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    d = decode_image(data, color="rgb")
    assert np.array_equal(d.array[:, 4, 4], [0, 0, 1]) and "first_frame_only" in [
        n.code for n in d.notes]
    assert "first frame of 2 " in d.notes[0].message_en


# ---- resizing ---------------------------------------------------------------------------------

def test_max_side_resizes_and_says_so() -> None:
    d = decode_image(save(Image.new("L", (100, 50), 128), "PNG"), max_side=20)
    assert d.array.shape == (1, 10, 20) and d.resized_from == (50, 100)
    assert np.allclose(d.array, 128 / 255, atol=1e-6) and "resized" in [n.code for n in d.notes]
    same = decode_image(save(Image.new("L", (100, 50), 128), "PNG"), max_side=100)
    assert same.resized_from is None and same.array.shape == (1, 50, 100)


def test_large_jpeg_resized_through_draft() -> None:
    img = Image.new("RGB", (800, 400), (255, 255, 255))
    img.paste((0, 0, 0), (0, 0, 400, 400))
    d = decode_image(save(img, "JPEG", quality=90), max_side=100)
    assert d.array.shape == (1, 50, 100) and d.resized_from == (400, 800)
    assert d.array[0, 25, 20] < 0.05 and d.array[0, 25, 80] > 0.95


def test_max_side_below_one_is_422() -> None:
    e = refused(save(Image.new("L", (4, 4)), "PNG"), max_side=0)
    assert (e.status, e.code, e.field, e.limit) == (422, "invalid_max_side", "max_side", 1)


# ---- limits -----------------------------------------------------------------------------------

def test_header_bomb_refused_with_the_limit_before_decoding(
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = png_1bit_bomb(20000, 20000)
    assert len(data) < 60_000
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded"))
    e = refused(data)
    assert (e.status, e.code, e.field) == (413, "image_too_many_pixels", "image")
    assert e.limit == 16_000_000
    assert "400,000,000" in e.message_en and "16,000,000" in e.message_en
    assert "16,000,000" in e.message_ja


def test_between_one_and_two_times_the_limit_is_refused_by_our_header_check() -> None:
    e = refused(png_1bit_bomb(5000, 4000))  # 20 MP: Pillow itself would only warn
    assert e.status == 413 and "5000×4000" in e.message_en


def test_pixel_limit_at_limit_and_limit_plus_one() -> None:
    s = Settings(max_image_pixels=100)
    at_limit = decode_image(save(Image.new("L", (10, 10)), "PNG"), settings=s)
    assert at_limit.array.shape == (1, 10, 10)
    e = refused(save(Image.new("L", (101, 1)), "PNG"), settings=s)
    assert (e.status, e.code, e.limit) == (413, "image_too_many_pixels", 100)


def test_side_limit_at_limit_and_limit_plus_one() -> None:
    s = Settings(max_image_side=50)
    assert decode_image(save(Image.new("L", (50, 1)), "PNG"), settings=s).array.shape == (1, 1, 50)
    e = refused(save(Image.new("L", (1, 51)), "PNG"), settings=s)
    assert (e.status, e.code, e.limit) == (413, "image_side_too_large", 50)


def test_bmp_header_claiming_huge_size_refused() -> None:
    data = save(Image.new("RGB", (4, 4)), "BMP")
    data = data[:18] + struct.pack("<ii", 30000, 30000) + data[26:]
    assert refused(data).status == 413


# ---- broken and hostile -----------------------------------------------------------------------

def test_zero_bytes_is_400() -> None:
    e = refused(b"")
    assert (e.status, e.code, e.field) == (400, "image_empty", "image")


@pytest.mark.parametrize("data", [b"hello, world", b"%PDF-1.4\n", b"PK\x03\x04" + b"\0" * 40,
                                  b"\x88PNG\r\n\x1a\n" + b"\0" * 40])
def test_unknown_or_wrong_magic_is_415(data: bytes) -> None:
    e = refused(data)
    assert (e.status, e.code) == (415, "image_unsupported_format") and "WebP" in str(e.limit)


@pytest.mark.parametrize("fmt", ["TIFF", "ICO", "PPM", "TGA"])
def test_other_pillow_formats_are_415(fmt: str) -> None:
    assert refused(save(Image.new("RGB", (8, 8)), fmt)).status == 415


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "BMP", "WEBP"])
def test_truncated_is_400(fmt: str) -> None:
    noise = Image.effect_noise((64, 64), 60).convert("RGB")
    data = save(noise, fmt)
    e = refused(data[: len(data) // 2])
    assert (e.status, e.code) == (400, "image_corrupt")


def test_right_magic_garbled_header_is_400() -> None:
    assert refused(b"\x89PNG\r\n\x1a\n" + b"\xff" * 64).status == 400
    assert refused(b"\xff\xd8\xff\xe0" + b"\x00" * 64).status == 400
    data = bytearray(save(Image.new("L", (8, 8), 9), "PNG"))
    data[40:60] = b"\x00" * 20  # inside the IDAT: bad CRC / zlib stream
    assert refused(bytes(data)).status == 400


def test_polyglot_png_with_zip_appended_decodes_as_png() -> None:
    data = save(Image.new("L", (8, 8), 77), "PNG") + b"PK\x03\x04" + b"\0" * 100 + b"PK\x05\x06"
    d = decode_image(data)
    assert d.format == "PNG" and np.allclose(d.array, 77 / 255)


def test_huge_metadata() -> None:
    base = save(Image.new("L", (8, 8), 77), "PNG")
    ztxt_bomb = chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"A" * (64 << 20), 9))
    e = refused(base[:33] + ztxt_bomb + base[33:])  # 64 MiB in ~64 KB: not inflated
    assert (e.status, e.code) == (400, "image_corrupt") and "too large" in e.message_en
    plain = chunk(b"tEXt", b"Comment\x00" + b"B" * (4 << 20))  # 4 MiB stored as is: harmless
    assert np.allclose(decode_image(base[:33] + plain + base[33:]).array, 77 / 255)


def test_decoded_image_is_a_frozen_record() -> None:
    d = decode_image(save(Image.new("RGB", (3, 2), RGB), "PNG"), color="rgb")
    assert isinstance(d, DecodedImage) and d.size == (2, 3) and d.resized_from is None
    with pytest.raises(AttributeError):
        d.format = "x"  # type: ignore[misc]


@pytest.mark.parametrize("fmt, kw", [("PNG", {}), ("JPEG", {"quality": 80}), ("GIF", {}),
                                     ("BMP", {}), ("WEBP", {"quality": 80})])
def test_mutated_files_never_raise_anything_but_image_error(fmt: str, kw: dict) -> None:
    """Seeded corruption (flipped bytes, cuts, spliced garbage): a result or an ImageError 4xx."""
    rng = np.random.default_rng(7)
    good = save(Image.effect_noise((24, 16), 40).convert("RGB"), fmt, **kw)
    for _ in range(60):
        data = bytearray(good)
        for pos in rng.integers(0, len(data), size=int(rng.integers(1, 8))):
            data[pos] = int(rng.integers(0, 256))
        if rng.random() < 0.3:
            data = data[: int(rng.integers(1, len(data)))]
        try:
            d = decode_image(bytes(data), color="rgb")
        except ImageError as e:
            assert 400 <= e.status < 500 and e.code
        else:
            assert d.array.dtype == np.float32 and 0.0 <= d.array.min() <= d.array.max() <= 1.0


def test_sixteen_bit_rgb_png_is_reduced_to_8_bit_and_says_so() -> None:
    px = np.array([[[65535, 0, 32768], [257, 514, 1000]]], dtype=">u2")
    raw = b"\0" + px[0].tobytes()
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 1, 16, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    d = decode_image(data, color="rgb")
    assert np.allclose(d.array[:, 0, 0], [1, 0, 128 / 255])  # Pillow keeps the high byte
    assert np.allclose(d.array[:, 0, 1], [1 / 255, 2 / 255, 3 / 255])
    assert [n.code for n in d.notes] == ["reduced_to_8_bit"]


def test_int32_mode_i_scaled_by_65535_and_clipped() -> None:
    from app.imaging.decode import _flatten, _to_array

    img = Image.fromarray(np.array([[0, 65535, 131070, -5]], dtype=np.int32))
    assert img.mode == "I"
    a = _to_array(_flatten(img, []), "gray")
    assert a.tolist() == [[[0.0, 1.0, 1.0, 0.0]]]
