"""Multipart uploads of real PNG / JPEG images made here, and the three response media types."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from app.engine.kernels import get_kernel
from app.engine.reference import conv2d_naive
from app.imaging.colormap import colorize
from app.imaging.png import grid
from tests.api.helpers import SLIDE7_INPUT, SLIDE_KERNEL, gradient, image_bytes


def _post(client: TestClient, files: list[bytes], spec: dict, accept: str | None = None,
          fmt: str = "png"):
    parts = [("image", (f"img{i}.{fmt}", data, f"image/{fmt}")) for i, data in enumerate(files)]
    headers = {"accept": accept} if accept else {}
    return client.post("/api/convolve", files=parts, data={"spec": json.dumps(spec)},
                       headers=headers)


def test_png_upload_gray_identity_gives_the_pixels_in_0_1(client: TestClient) -> None:
    pixels = gradient(6, 8, rgb=False)
    r = _post(client, [image_bytes(pixels)], {"kernel": [[1]]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["shape"] == [1, 1, 6, 8] and body["pixel_scale"] == "[0, 1]"
    np.testing.assert_allclose(np.array(body["output"])[0, 0], pixels / 255, atol=1e-6)
    previews = [s["preview"] for s in body["stages"]]
    assert all(p.startswith("data:image/png;base64,") for p in previews)
    first = Image.open(io.BytesIO(base64.b64decode(previews[0].split(",", 1)[1])))
    assert first.size == (8, 6)
    r = _post(client, [image_bytes(pixels)], {"kernel": [[1]], "previews": False})
    assert [s["preview"] for s in r.json()["stages"]] == [None, None]


def test_jpeg_rgb_batch_with_depthwise_sobel_relu_and_pooling(client: TestClient) -> None:
    pic = gradient(24, 32)
    files = [image_bytes(pic, "JPEG"), image_bytes(pic[::-1].copy(), "JPEG")]
    spec = {"kernel": "sobel-x", "pad": 1, "color": "rgb", "depthwise": True,
            "activation": "relu", "pool": {"type": "max", "size": 2}}
    r = _post(client, files, spec, fmt="jpeg")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["shape"] == [2, 3, 12, 16]
    assert [s["name"] for s in body["stages"]] == ["input", "conv", "relu", "pool"]
    assert body["stages"][0]["shape"] == [2, 3, 24, 32]
    # red rises left → right by 255/31 per pixel: sobel-x in the interior ≈ 8 · (1/31)
    out = np.array(body["output"])
    assert abs(out[0, 0, 5, 7] - 8 / 31) < 0.03
    assert out[0, 2, 1:-1, 1:-1].max() < 0.1  # flat blue: no edges inside (zero pad at the border)


def test_resize_is_reported(client: TestClient) -> None:
    r = _post(client, [image_bytes(gradient(40, 80))], {"kernel": "identity", "max_side": 20})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["resized"] == [{"index": 0, "original": [40, 80], "resized": [10, 20]}]
    assert body["stages"][0]["shape"] == [1, 1, 10, 20]


def test_batch_of_different_sizes_is_refused(client: TestClient) -> None:
    r = _post(client, [image_bytes(gradient(8, 8)), image_bytes(gradient(9, 8))], {})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "batch_shape_mismatch"


def test_garbled_image_is_a_4xx_in_the_error_shape(client: TestClient) -> None:
    good = image_bytes(gradient(16, 16))
    for data, status in ((good[:40], 400), (b"GIF89a" + b"\0" * 10, 400), (b"not an image", 415)):
        r = _post(client, [data], {})
        assert r.status_code == status, r.text
        assert set(r.json()["error"]) == {"code", "field", "limit", "message"}


def test_accept_npy_gives_the_exact_float32_array(client: TestClient) -> None:
    pixels = gradient(10, 12, rgb=False)
    r = _post(client, [image_bytes(pixels)], {"kernel": "sobel-y", "pad": 1}, "application/x-npy")
    assert r.status_code == 200 and r.headers["content-type"] == "application/x-npy"
    got = np.load(io.BytesIO(r.content), allow_pickle=False)
    x = (pixels / 255).astype(np.float32)[None, None]
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    want = conv2d_naive(xp, get_kernel("sobel-y")[None, None])
    assert got.dtype == np.float32 and got.shape == (1, 1, 10, 12)
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_accept_png_single_map_is_the_colour_scaled_map(client: TestClient) -> None:
    r = client.post("/api/convolve", json={"input": SLIDE7_INPUT, "spec": {"kernel": SLIDE_KERNEL}},
                    headers={"accept": "image/png"})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    got = np.asarray(Image.open(io.BytesIO(r.content)).convert("RGB"))
    want = colorize(np.array([[15, 16], [6, 15]], dtype=np.float32))
    np.testing.assert_array_equal(got, want)


def test_accept_png_several_maps_is_a_grid(client: TestClient) -> None:
    bank = [[[[1]]], [[[-1]]]]  # FN = 2, 1×1
    r = client.post("/api/convolve", json={"input": SLIDE7_INPUT, "spec": {"kernel": bank}},
                    headers={"accept": "image/png"})
    assert r.status_code == 200
    got = np.asarray(Image.open(io.BytesIO(r.content)).convert("RGB"))
    x = np.array(SLIDE7_INPUT, dtype=np.float32)
    np.testing.assert_array_equal(got, grid([x, -x]))


def test_accept_preferences_and_406(client: TestClient) -> None:
    body = {"input": SLIDE7_INPUT, "spec": {"kernel": SLIDE_KERNEL}}
    r = client.post("/api/convolve", json=body,
                    headers={"accept": "image/png;q=0.5, application/x-npy;q=0.9"})
    assert r.headers["content-type"] == "application/x-npy"
    r = client.post("/api/convolve", json=body, headers={"accept": "*/*"})
    assert r.headers["content-type"] == "application/json"
    r = client.post("/api/convolve", json=body, headers={"accept": "text/html"})
    assert r.status_code == 406 and r.json()["error"]["code"] == "not_acceptable"


def test_image_options_on_a_nested_list_are_reported_not_silently_ignored(
        client: TestClient) -> None:
    x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    body = client.post("/api/convolve", json={"input": x, "spec": {"kernel": [[1]], "max_side": 2,
                                                                  "color": "rgb"}}).json()
    assert body["shape"] == [1, 1, 3, 3] and body["output"] == [[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]
    assert [n["code"] for n in body["notes"]] == ["image_options_ignored"]
    plain = client.post("/api/convolve", json={"input": x, "spec": {"color": "gray"}}).json()
    assert plain["notes"] == []
    pipe = client.post("/api/pipeline", json={"input": x, "spec": {
        "max_side": 2, "layers": [{"type": "relu"}]}}).json()
    assert [n["code"] for n in pipe["notes"]] == ["image_options_ignored"]
