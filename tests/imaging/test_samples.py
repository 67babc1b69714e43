"""Sample images and /api/samples: drawn, deterministic, served as PNG, 404 in the error shape."""

from __future__ import annotations

import io

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.imaging.decode import decode_image
from app.imaging.samples import SAMPLES, sample_image, sample_png
from app.main import create_app

IDS = ["shapes", "text", "gradient", "checkerboard", "scene"]


@pytest.fixture(scope="module")
def client() -> TestClient:
    with TestClient(create_app()) as c:
        yield c


def test_ids_in_display_order() -> None:
    assert list(SAMPLES) == IDS


@pytest.mark.parametrize("sample_id", IDS)
def test_each_sample_is_a_real_picture(sample_id: str) -> None:
    img = sample_image(sample_id)
    a = np.asarray(img)
    assert img.mode == "RGB" and a.shape[:2] == ((240, 320) if sample_id == "scene" else (256, 256))
    assert a.std() > 40  # not blank: clear edges or ramps
    assert len(np.unique(a.reshape(-1, 3), axis=0)) >= 2


def test_drawing_is_deterministic() -> None:
    for sample_id in IDS:
        again = SAMPLES[sample_id].draw()
        assert np.array_equal(np.asarray(again), np.asarray(sample_image(sample_id)))


def test_known_pixels() -> None:
    board = np.asarray(sample_image("checkerboard"))
    assert board[0, 0].tolist() == [0, 0, 0] and board[0, 32].tolist() == [255, 255, 255]
    assert board[32, 32].tolist() == [0, 0, 0]
    ramp = np.asarray(sample_image("gradient"))
    assert ramp[10, 0].tolist() == [0, 0, 0] and ramp[10, 255].tolist() == [255, 255, 255]
    assert (np.diff(ramp[10, :, 0].astype(int)) >= 0).all()
    scene = np.asarray(sample_image("scene"))
    assert scene[48, 54].tolist() == [255, 215, 40]  # the sun
    text = np.asarray(sample_image("text"))
    assert (text[40:120].min(axis=2) < 50).mean() > 0.05  # "CNN" is big and black


def test_png_bytes_are_cached_and_decode(client: TestClient) -> None:
    assert sample_png("shapes") is sample_png("shapes")
    d = decode_image(sample_png("scene"), color="rgb")
    assert d.array.shape == (3, 240, 320) and d.format == "PNG"


def test_list_route(client: TestClient) -> None:
    r = client.get("/api/samples")
    assert r.status_code == 200
    items = r.json()["samples"]
    assert [s["id"] for s in items] == IDS
    shapes = items[0]
    assert shapes == {"id": "shapes", "name_en": "Shapes", "name_ja": "図形",
                      "description_en": SAMPLES["shapes"].description_en,
                      "description_ja": SAMPLES["shapes"].description_ja,
                      "width": 256, "height": 256, "url": "/api/samples/shapes.png"}
    assert items[-1]["width"] == 320 and items[-1]["height"] == 240


@pytest.mark.parametrize("sample_id", IDS)
def test_png_route(client: TestClient, sample_id: str) -> None:
    r = client.get(f"/api/samples/{sample_id}.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content == sample_png(sample_id)
    assert "max-age" in r.headers["cache-control"]
    assert Image.open(io.BytesIO(r.content)).format == "PNG"


def test_unknown_sample_is_404_in_the_error_shape(client: TestClient) -> None:
    r = client.get("/api/samples/lena.png")
    assert r.status_code == 404
    err = r.json()["error"]
    assert err["code"] == "sample_not_found" and err["field"] == "sample_id"
    assert "lena" in err["message"] and "shapes" in err["limit"]
    ja = client.get("/api/samples/lena.png", headers={"Accept-Language": "ja"}).json()
    assert "サンプル画像" in ja["error"]["message"]


def test_documented_in_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/samples" in paths and "/api/samples/{sample_id}.png" in paths
    assert "404" in paths["/api/samples/{sample_id}.png"]["get"]["responses"]
