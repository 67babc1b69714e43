"""Every budget is checked on the header-derived shape, before any uploaded image is decoded."""

from __future__ import annotations

import io
import json
import struct
import tracemalloc
import zlib
from collections.abc import Callable

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.imaging.decode import decode_image
from app.imaging.probe import probe_image
from app.services import convolve as service

MiB = 1024 * 1024


def _png(w: int, h: int, mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, (w, h), (10, 20, 30) if mode == "RGB" else 40).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def big_png() -> bytes:
    """A plain-colour 4000×4000 RGB PNG (~56 KB; 192 MB as float32 (3, H, W))."""
    return _png(4000, 4000)


def _post(client: TestClient, path: str, files: list[bytes], spec: dict):
    parts = [("image", (f"img{i}.png", d, "image/png")) for i, d in enumerate(files)]
    return client.post(path, files=parts, data={"spec": json.dumps(spec)})


def _peak(call: Callable[[], object]) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(("path", "spec"), [
    ("/api/convolve", {"color": "rgb", "kernel": [[1]]}),
    ("/api/pipeline", {"color": "rgb", "layers": [{"type": "conv", "kernel": [[1]]}]}),
])
def test_eight_big_images_refused_without_decoding(client: TestClient, big_png: bytes,
                                                   path: str, spec: dict) -> None:
    # N·C·H·W = 8·3·4000·4000 = 384 M input values > max_output_values (16 Mi)
    r, peak = _peak(lambda: _post(client, path, [big_png] * 8, spec))
    assert r.status_code == 422, r.text  # type: ignore[attr-defined]
    err = r.json()["error"]  # type: ignore[attr-defined]
    assert (err["code"], err["field"]) == ("budget_exceeded", "max_output_values")
    assert peak < 64 * MiB, f"peak {peak / MiB:.1f} MiB"


def test_no_image_is_decoded_when_the_budget_refuses(client: TestClient, big_png: bytes,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("decoded before the budget check")

    monkeypatch.setattr(service, "decode_image", never)
    r = _post(client, "/api/convolve", [big_png] * 2, {"color": "rgb", "kernel": [[1]]})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "max_output_values"


def test_size_mismatch_found_from_the_headers(client: TestClient,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "decode_image", None)  # any decode would raise TypeError
    r = _post(client, "/api/convolve", [_png(4, 3), _png(5, 3)], {"kernel": [[1]]})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "batch_shape_mismatch"
    assert "3×4, 3×5" in r.json()["error"]["message"]


def test_a_batch_within_the_budget_is_decoded_in_place(client: TestClient) -> None:
    a, b = _png(6, 4, "L"), _png(6, 4, "RGB")
    r = _post(client, "/api/convolve", [a, b], {"color": "gray", "kernel": [[1]]})
    assert r.status_code == 200, r.text
    out = np.array(r.json()["output"], dtype=np.float32)
    assert out.shape == (2, 1, 4, 6)
    np.testing.assert_allclose(out[0], 40 / 255, rtol=1e-6)
    np.testing.assert_allclose(out[1], decode_image(b).array, rtol=1e-6)


@pytest.mark.parametrize("orientation", [1, 3, 6, 8])
@pytest.mark.parametrize("max_side", [None, 20, 7])
def test_probe_agrees_with_decode(orientation: int, max_side: int | None) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    Image.new("RGB", (30, 10), (1, 2, 3)).save(buf, "JPEG", exif=exif.tobytes())
    data = buf.getvalue()
    for color in ("gray", "rgb"):
        assert probe_image(data, color=color, max_side=max_side) == \
            decode_image(data, color=color, max_side=max_side).array.shape


def _late_exif_png(w: int, h: int, orientation: int) -> bytes:
    """A PNG whose eXIf chunk follows IDAT: the header cannot tell its orientation."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    payload = exif.tobytes()[6:]  # drop the "Exif\0\0" APP1 prefix
    chunk = (struct.pack(">I", len(payload)) + b"eXIf" + payload
             + struct.pack(">I", zlib.crc32(b"eXIf" + payload)))
    base = _png(w, h, "L")
    end = base.rindex(b"IEND") - 4
    return base[:end] + chunk + base[end:]


def test_late_exif_png_is_planned_again_on_its_decoded_shape(client: TestClient) -> None:
    data = _late_exif_png(30, 10, 6)
    assert probe_image(data) == (1, 10, 30)  # the guess from the header
    assert decode_image(data).array.shape == (1, 30, 10)  # rotated once decoded
    r = _post(client, "/api/convolve", [data], {"kernel": [[1, 1]]})
    assert r.status_code == 200, r.text
    assert r.json()["shape"] == [1, 1, 30, 9]
    r = _post(client, "/api/convolve", [_png(30, 10, "L"), data], {"kernel": [[1]]})
    assert r.json()["error"]["code"] == "batch_shape_mismatch"
