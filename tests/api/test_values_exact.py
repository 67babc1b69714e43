"""An 8-bit image's input stage travels exactly in values_format u8 (grid 0, 1/255): the page
computes the lab's maps from it (static/js/lib/maps.js), so it must equal the float32 input."""

from __future__ import annotations

import base64
import json
import zlib

import numpy as np
from fastapi.testclient import TestClient

from app.services.values import dequantise, image_codes, quantise
from bench.api import photo_jpeg

SPEC = {"kernel": "sobel-x", "pad": 1, "include_values": True, "previews": False,
        "value_stages": ["input"]}


def _input(client: TestClient, jpeg: bytes, color: str, fmt: str) -> tuple[dict, np.ndarray]:
    r = client.post("/api/convolve", files={
        "image": ("p.jpg", jpeg, "image/jpeg"),
        "spec": (None, json.dumps({**SPEC, "color": color, "values_format": fmt}),
                 "application/json")})
    assert r.status_code == 200, r.text
    st = r.json()["stages"][0]
    data = base64.b64decode(st["values_b64"])
    shape = tuple(st["shape"])
    if fmt == "f32":
        return st, np.frombuffer(data, "<f4").reshape(shape)
    return st, dequantise(data, shape, fmt, st["values_lo"], st["values_step"])


def test_image_input_in_u8_is_the_exact_float32_input(client: TestClient) -> None:
    for color in ("gray", "rgb"):
        jpeg = photo_jpeg(64, seed=5)
        _, exact = _input(client, jpeg, color, "f32")
        st, got = _input(client, jpeg, color, "u8")
        assert (st["values_lo"], st["values_step"]) == (0.0, 1 / 255)
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, exact)      # bit for bit


def test_every_byte_decodes_to_its_float32() -> None:
    x = (np.arange(256, dtype=np.float32) / np.float32(255)).reshape(1, 1, 2, 128)
    np.testing.assert_array_equal(image_codes(x).reshape(-1), np.arange(256))
    data, lo, step = quantise(x, "u8")
    np.testing.assert_array_equal(dequantise(data, x.shape, "u8", lo, step), x)


def test_values_off_the_byte_grid_use_the_range_grid() -> None:
    x = (np.arange(256, dtype=np.float32) / np.float32(255)).reshape(1, 1, 2, 128)
    off = x.copy()
    off[0, 0, 1, 5] += np.float32(1e-4)                  # one value not k/255
    assert image_codes(off) is None
    above = x * np.float32(1.5)                          # outside [0, 1]
    assert image_codes(above) is None
    _, lo, step = quantise(above, "u8")
    assert (lo, step) == (0.0, 1.5 / 255)
    assert image_codes(np.zeros((1, 1, 0, 0), np.float32)) is None


def test_u8_planes_are_predicted_from_the_row_above() -> None:
    """The bytes before zlib: first row left-delta, later rows q − (the row above), mod 256."""
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1, (1, 2, 5, 7)).astype(np.float32)
    data, lo, step = quantise(x, "u8")
    q = np.rint((x.astype(np.float64) - lo) / step).astype(np.int64)
    r = np.frombuffer(zlib.decompress(data), np.uint8).reshape(x.shape).astype(np.int64)
    np.testing.assert_array_equal(r[..., 0, 0], q[..., 0, 0])
    np.testing.assert_array_equal(r[..., 0, 1:], np.diff(q[..., 0, :], axis=-1) & 255)
    np.testing.assert_array_equal(r[..., 1:, :], np.diff(q, axis=-2) & 255)
    back = dequantise(data, x.shape, "u8", lo, step)
    assert np.abs(back - x).max() <= step / 2 + 1e-6
    same_rows = np.repeat(rng.normal(0, 1, (1, 1, 1, 64)), 64, axis=2).astype(np.float32)
    assert len(quantise(same_rows, "u8")[0]) < 200        # 63 rows of zeros after the first
