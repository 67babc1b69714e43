"""A layer stack the user composes (issue 15): TrainingRequest.model = {"layers": [...]}; the
static limits (filters 64, units 512, kernel 7) and the settings' (layers, parameters, multiply-
adds per step) at LIMIT and LIMIT+1; a map shrinking below 1×1 → 422 naming the layer index and
the shape; one short run of a stack that trains and is kept as ONNX."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.models.datasets.synthetic import generate
from app.services.training import stack
from app.services.training.keep import run_network
from tests.training.test_training_api import _wait_for

LAYERS = [{"type": "conv", "filters": 8, "size": 3, "pad": 1, "stride": 1}, {"type": "relu"},
          {"type": "pool", "size": 2}, {"type": "affine", "units": 64}, {"type": "relu"}]
# parameters: conv 3·9·8 + 8 = 224; affine 8·16·16·64 + 64 = 131,136; final 64·10 + 10 = 650
PARAMS = 224 + 131_136 + 650
# multiply-adds per image: conv 27·8·32·32 = 221,184; affine 131,072; final 640
MACS = 221_184 + 131_072 + 640
RUN = {"dataset": "synthetic", "examples": 200, "batch_size": 16, "epochs": 5, "max_steps": 12,
       "lr": 0.003, "augment": False}


def _settings(tmp: Path, **over: int) -> Settings:
    return Settings(data_dir=tmp, training_workers=1, training_queue=1, training_max_steps=2000,
                    training_max_examples=5000, **over)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(_settings(tmp_path, training_max_layers=5,
                                         training_max_params=PARAMS,
                                         training_max_macs=MACS * 16))) as c:
        yield c


def _post(client: TestClient, layers: list[dict], **over: object):
    return client.post("/api/training", json={**RUN, **over, "model": {"layers": layers}})


def test_shapes_and_counts_of_the_example_stack(tmp_path: Path) -> None:
    rows = stack.check(LAYERS, (3, 32, 32), 16, _settings(tmp_path, training_max_params=PARAMS,
                                                          training_max_macs=MACS * 16))
    assert [r["shape"] for r in rows] == [[8, 32, 32], [8, 32, 32], [8, 16, 16], [64], [64],
                                          [10]]
    names = [s["name"] for s in stack.specs(LAYERS, 10)]
    assert names == ["conv1", "relu1", "pool1", "affine1", "relu2", "affine2", "softmax"]


@pytest.mark.parametrize(("setting", "field"), [("training_max_params", "model.params"),
                                                ("training_max_macs", "model.macs")])
def test_parameter_and_compute_limits_at_limit_and_beyond(tmp_path: Path, setting: str,
                                                          field: str) -> None:
    limit = PARAMS if setting == "training_max_params" else MACS * 16
    stack.check(LAYERS, (3, 32, 32), 16, _settings(tmp_path, **{setting: limit}))  # LIMIT: ok
    with TestClient(create_app(_settings(tmp_path, **{setting: limit - 1}))) as c:
        r = _post(c, LAYERS)  # one over the limit
    assert r.status_code == 422
    err = r.json()["error"]
    assert (err["code"], err["field"], err["limit"]) == ("training_limit", field, limit - 1)


def test_layer_count_limit(client: TestClient, tmp_path: Path) -> None:
    six = [*LAYERS, {"type": "relu"}]
    r = _post(client, six)
    assert r.status_code == 422
    assert (r.json()["error"]["field"], r.json()["error"]["limit"]) == ("model.layers", 5)
    stack.check(LAYERS, (3, 32, 32), 16, _settings(tmp_path, training_max_layers=5))


@pytest.mark.parametrize(("layer", "ok"), [
    ({"type": "conv", "filters": 64, "size": 3}, True),
    ({"type": "conv", "filters": 65, "size": 3}, False),
    ({"type": "conv", "filters": 4, "size": 7}, True),
    ({"type": "conv", "filters": 4, "size": 8}, False),
    ({"type": "affine", "units": 512}, True),
    ({"type": "affine", "units": 513}, False),
    ({"type": "sigmoid"}, False)])
def test_static_layer_limits(layer: dict, ok: bool) -> None:
    from pydantic import ValidationError

    from app.schemas.training import TrainingRequest

    layers = [{"type": "conv", "filters": 4, "size": 3}, layer]
    if ok:
        TrainingRequest.model_validate({"model": {"layers": layers}})
    else:
        with pytest.raises(ValidationError):
            TrainingRequest.model_validate({"model": {"layers": layers}})


def test_a_map_below_one_pixel_names_the_layer_and_shape(client: TestClient) -> None:
    layers = [{"type": "conv", "filters": 4, "size": 7}, {"type": "pool", "size": 4},
              {"type": "conv", "filters": 4, "size": 7}]  # 32 → 26 → 6 → 0
    r = _post(client, layers)
    assert r.status_code == 422
    err = r.json()["error"]
    assert (err["code"], err["field"]) == ("stack_shape", "model.layers[2]")
    assert "4×6×6" in err["message"]
    ja = client.post("/api/training", json={**RUN, "model": {"layers": layers}},
                     headers={"Accept-Language": "ja"}).json()["error"]["message"]
    assert "4×6×6" in ja and "層" in ja
    pool_after_affine = [{"type": "conv", "filters": 4, "size": 3},
                         {"type": "affine", "units": 8}, {"type": "pool", "size": 2}]
    r = _post(client, pool_after_affine)
    assert r.status_code == 422 and r.json()["error"]["field"] == "model.layers[2]"
    r = _post(client, [{"type": "affine", "units": 8}])
    assert r.status_code == 422 and r.json()["error"]["code"] == "stack_shape"


def test_a_composed_stack_trains_and_is_kept(client: TestClient) -> None:
    r = _post(client, LAYERS)
    assert r.status_code == 202
    run = r.json()
    final = _wait_for(client, run["id"], {"finished", "stopped", "failed"})
    assert final["type"] == "finished" and final["step"] == 12
    assert np.array(final["filters"]).shape == (8, 3, 3, 3)
    npz = client.get(f"/api/training/{run['id']}/model.npz").content
    net = run_network(npz)
    assert [s["name"] for s in net.specs][-2:] == ["affine2", "softmax"]
    onnx = client.get(f"/api/training/{run['id']}/model.onnx").content
    x, _ = generate(8, 3)
    got = ort.InferenceSession(onnx, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    np.testing.assert_allclose(got, net.predict(x), atol=1e-5)
    kept = client.post(f"/api/training/{run['id']}/keep",
                       headers={"X-Training-Token": run["token"]})
    assert kept.status_code == 201
    assert kept.json()["name"].startswith("Trained stack of 5 layers, 12 steps")
