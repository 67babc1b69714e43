"""POST /api/models (ONNX upload), the imported model's layers, predictions, filters and
export; the same file stored once; a second app on the same data directory (another worker)
sees the model; bad files get their documented 4xx."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnx
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.config import Settings
from app.main import create_app
from app.models.onnx_import import import_onnx
from app.store import open_store
from tests.onnx_import.fixtures import lenet5, residual, vgg64

LENET = lenet5().SerializeToString()


def _client(tmp_path: Path, **kw: object) -> TestClient:
    return TestClient(create_app(Settings(data_dir=tmp_path, **kw)))  # type: ignore[arg-type]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with _client(tmp_path) as c:
        yield c


def _upload(c: TestClient, data: bytes, **form: str):  # type: ignore[no-untyped-def]
    return c.post("/api/models", files={"file": ("m.onnx", data)}, data=form)


def test_upload_describe_predict_and_export(client: TestClient, tmp_path: Path) -> None:
    r = _upload(client, LENET, name="my lenet")
    assert r.status_code == 201, r.text
    body = r.json()
    mid = body["id"]
    assert mid.startswith("onnx-") and len(mid) == 5 + 24
    assert body["name"] == "my lenet" and body["input_shape"] == [1, 28, 28]
    assert body["labels"][:2] == ["zero", "one"]
    assert body["badge"].startswith("matches the ONNX reference to ")
    conv1 = body["layers"][1]
    assert (conv1["name"], conv1["op"], conv1["formula"]) == ("conv1", "Conv", "6·1·5·5 + 6 = 156")
    assert client.get(f"/api/models/{mid}").json() == body

    x = np.random.default_rng(0).random((28, 28), dtype=np.float32)
    p = client.post(f"/api/models/{mid}/predict", json={"input": x.tolist()})
    assert p.status_code == 200, p.text
    want = import_onnx(LENET, check=False).model.predict(x[None])[0]
    np.testing.assert_allclose(p.json()["probabilities"], want, atol=1e-6)
    assert p.json()["label_name"] == body["labels"][int(want.argmax())]
    assert [s["name"] for s in p.json()["stages"]][:3] == ["input", "conv1", "tanh1"]

    f = client.get(f"/api/models/{mid}/filters", params={"layer": "conv2"})
    assert f.status_code == 200 and f.json()["shape"] == [16, 6, 5, 5]
    assert client.get(f"/api/models/{mid}/onnx").content == LENET


def test_same_file_stored_once_and_seen_by_another_worker(tmp_path: Path) -> None:
    with _client(tmp_path) as a, _client(tmp_path) as b:
        ids = [_upload(a, LENET).json()["id"] for _ in range(2)]
        assert ids[0] != ids[1]
        assert b.get(f"/api/models/{ids[1]}").status_code == 200
    store = open_store(Settings(data_dir=tmp_path))
    keys = store.keys("models")
    assert sum(k.startswith("blob:") for k in keys) == 1
    assert sum(k.startswith("id:") for k in keys) == 2
    store.close()


def test_rgb_upload_prepared_as_stated(client: TestClient) -> None:
    mid = _upload(client, vgg64().SerializeToString(),
                  normalisation="mean=0.5,0.5,0.5;std=0.25,0.25,0.25").json()["id"]
    buf = io.BytesIO()
    Image.new("RGB", (100, 80), (255, 0, 0)).save(buf, "PNG")
    r = client.post(f"/api/models/{mid}/predict", files={"image": ("a.png", buf.getvalue())})
    assert r.status_code == 200, r.text
    prep = r.json()["preparation"]
    assert prep["resized_to"] == [64, 64] and prep["normalisation"]["kind"] == "mean-std"
    inp = r.json()["stages"][0]
    assert inp["shape"] == [3, 64, 64] and inp["max"] == pytest.approx(2.0)  # (1 − .5) / .25
    assert inp["min"] == pytest.approx(-2.0)
    bad = client.post(f"/api/models/{mid}/predict", files={"image": ("a.png", buf.getvalue())},
                      data={"normalisation": "mean=1;std=0"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "onnx_normalisation"


def test_shipped_model_exports(client: TestClient) -> None:
    r = client.get("/api/models/simple-convnet/onnx")
    assert r.status_code == 200
    m = onnx.load_from_string(r.content)
    assert [n.op_type for n in m.graph.node][:3] == ["Conv", "Relu", "MaxPool"]
    assert client.get("/api/models/nope/onnx").status_code == 404


def test_errors(tmp_path: Path) -> None:
    with _client(tmp_path, onnx_max_bytes=len(LENET)) as c:
        assert _upload(c, LENET).status_code == 201  # at the limit
        r = _upload(c, LENET + b"\0")  # LIMIT + 1
        assert r.status_code == 413 and r.json()["error"]["code"] == "onnx_file_too_large"
        assert r.json()["error"]["limit"] == len(LENET)
        r = _upload(c, residual().SerializeToString())
        assert r.status_code == 422 and "Add (node" in r.json()["error"]["message"]
        r = _upload(c, b"not an onnx file")
        assert r.status_code == 400 and r.json()["error"]["code"] == "onnx_invalid"
        r = c.get("/api/models/onnx-doesnotexist")
        assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_model"
        mid = _upload(c, LENET).json()["id"]
        r = c.post(f"/api/models/{mid}/predict", json={"input": [[0.0] * 27] * 28})
        assert r.status_code == 422 and r.json()["error"]["code"] == "onnx_input_shape"
        ja = c.post("/api/models", files={"file": ("m.onnx", b"xx")},
                    headers={"Accept-Language": "ja"})
        assert "ONNX" in ja.json()["error"]["message"]
