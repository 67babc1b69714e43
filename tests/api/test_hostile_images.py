"""Hostile and unusual uploads made in the tests → the documented 4xx or a correct 200."""

from __future__ import annotations

import io
import json

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from tests.api.helpers import gradient, image_bytes


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
