"""Hostile and unusual uploads made in the tests → the documented 4xx or a correct 200."""

from __future__ import annotations

import io
import json

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from tests.api.helpers import gradient, image_bytes
from tests.decode_bombs import animated_webp, png_rows, progressive_jpeg


def _post(client: TestClient, data: bytes, **spec: object):
    spec = {"kernel": [[1]], **spec}
    part = ("image", ("upload", data, "application/octet-stream"))
    return client.post("/api/convolve", files=[part], data={"spec": json.dumps(spec)})


def _encode(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def test_pixel_bomb_is_refused_before_decoding(client: TestClient) -> None:
    bomb = _encode(Image.new("1", (20000, 20000)), "PNG", optimize=True)
    assert len(bomb) < 100_000
    r = _post(client, bomb)
    assert r.status_code == 413 and r.json()["error"]["code"] == "image_too_many_pixels"


def test_truncated_and_wrong_magic(client: TestClient) -> None:
    png = image_bytes(gradient(32, 32))
    r = _post(client, png[: len(png) // 2])
    assert r.status_code == 400 and r.json()["error"]["code"] == "image_corrupt"
    r = _post(client, b"%PDF-1.7 not an image at all")
    assert r.status_code == 415 and r.json()["error"]["code"] == "image_unsupported_format"


def test_animated_gif_uses_the_first_frame_and_says_so(client: TestClient) -> None:
    frames = [Image.new("L", (4, 3), 200), Image.new("L", (4, 3), 10)]
    gif = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    r = _post(client, gif)
    assert r.status_code == 200, r.text
    body = r.json()
    np.testing.assert_allclose(body["output"], np.full((1, 1, 3, 4), 200 / 255), atol=1e-6)
    assert "first_frame_only" in [n["code"] for n in body["notes"]]


def test_cmyk_jpeg_is_converted(client: TestClient) -> None:
    cmyk = Image.new("CMYK", (8, 8), (0, 255, 255, 0))  # pure red
    r = _post(client, _encode(cmyk, "JPEG", quality=95), color="rgb", depthwise=True)
    assert r.status_code == 200, r.text
    out = np.array(r.json()["output"])[0, :, 4, 4]
    assert out[0] > 0.9 and out[1] < 0.1 and out[2] < 0.1


def test_16_bit_png_keeps_its_precision(client: TestClient) -> None:
    a = np.array([[0, 1000, 65535]], dtype=np.uint16)
    r = _post(client, _encode(Image.fromarray(a), "PNG"))
    assert r.status_code == 200, r.text
    np.testing.assert_allclose(r.json()["output"][0][0], [a[0] / 65535], rtol=1e-6)


def test_exif_orientation_is_applied(client: TestClient) -> None:
    img = Image.fromarray(gradient(10, 30, rgb=False))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    r = _post(client, _encode(img, "JPEG", exif=exif.tobytes()))
    assert r.status_code == 200, r.text
    assert r.json()["shape"] == [1, 1, 30, 10]


def _post_many(client: TestClient, data: bytes, n: int, headers: dict | None = None, **spec):
    parts = [("image", (f"{i}", data, "application/octet-stream")) for i in range(n)]
    return client.post("/api/convolve", files=parts, headers=headers or {},
                       data={"spec": json.dumps({"kernel": [[1]], **spec})})


def test_sixteen_90_byte_animated_webps_are_refused_before_decoding(client: TestClient) -> None:
    r = _post_many(client, animated_webp(4000), 16, max_side=64)
    err = r.json()["error"]
    assert r.status_code == 413, r.text
    assert (err["code"], err["field"], err["limit"]) == ("image_decode_too_large", "image.0",
                                                         134_217_728)


def test_request_decode_bytes_sum_is_bounded(client: TestClient) -> None:
    # each 1500×1500 WebP fills 4 canvases of 4 bytes = 36 MB (allowed); 16 of them 576 MB
    r = _post_many(client, animated_webp(1500), 16, {"Accept-Language": "ja"}, max_side=64)
    err = r.json()["error"]
    assert r.status_code == 413, r.text
    assert (err["code"], err["field"], err["limit"]) == ("request_decode_too_large", "image",
                                                         536_870_912)
    assert "max_request_decode_bytes" in err["message"] and "画像" in err["message"]
    assert _post_many(client, animated_webp(1500), 14, max_side=64).status_code == 200


def test_request_decode_work_at_limit_and_limit_plus_one(client: TestClient, override) -> None:
    jpeg = progressive_jpeg(64)  # 10 scans × 4,096 pixels = 40,960 pixel passes each
    override(max_decode_work=4 * 40_960)
    assert _post_many(client, jpeg, 4).status_code == 200
    override(max_decode_work=4 * 40_960 - 1)
    r = _post_many(client, jpeg, 4)
    err = r.json()["error"]
    assert r.status_code == 413, r.text
    assert (err["code"], err["field"], err["limit"]) == ("decode_work_exceeded", "image",
                                                         4 * 40_960 - 1)


def test_a_16_mp_png_fits_the_default_spec_and_one_more_row_does_not(client: TestClient) -> None:
    r = _post(client, png_rows(4000, 4000), previews=False)
    assert r.status_code == 200, r.text
    assert r.json()["shape"] == [1, 1, 4000, 4000] and r.json()["stages"][1]["max"] == 1.0
    r = _post(client, png_rows(4000, 4001), previews=False)
    err = r.json()["error"]
    assert (r.status_code, err["code"], err["limit"]) == (413, "image_too_many_pixels",
                                                          16_000_000)


def test_png_with_short_image_data_is_400(client: TestClient) -> None:
    r = _post(client, png_rows(64, 64, 63))
    assert r.status_code == 400 and r.json()["error"]["code"] == "image_corrupt"


def test_openapi_says_how_a_jpeg_is_downscaled_for_max_side(client: TestClient) -> None:
    text = json.dumps(client.get("/openapi.json").json())
    assert "libjpeg in the DCT domain" in text
