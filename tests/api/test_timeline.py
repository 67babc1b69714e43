"""/api/models/{id}/checkpoints and ?step= on /filters and /predict: a tiny model trained here
with the recorder, served from a models folder with its checkpoints/ beside it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.deps import get_models
from app.engine.network import Network
from app.engine.train import TrainConfig, train
from app.main import create_app
from app.models import checkpoints as ck
from app.models.store import ModelStore
from tests.models.hostile_models import tiny_net


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("models")
    rng = np.random.default_rng(0)
    x = rng.random((60, 1, 28, 28), dtype=np.float32)
    t = (x[:, 0, :14].mean(axis=(1, 2)) > x[:, 0, 14:].mean(axis=(1, 2))).astype(np.int64)
    net = tiny_net(0)
    rec = ck.Recorder(net, 2 * 6, x[:20], t[:20], count=5)
    train(net, x, t, TrainConfig(epochs=2, batch_size=10, lr=0.01), on_batch=rec.on_batch)
    net.id = "timed"
    net.save(d / "timed.npz")
    (d / "timed.json").write_text(json.dumps({"epochs": 2}))
    (d / "checkpoints").mkdir()
    ck.save(d / "checkpoints" / "timed.npz", rec.result())
    tiny_net(1).save(d / "plain.npz")
    return d


@pytest.fixture
def client(models_dir: Path) -> Iterator[TestClient]:
    store = ModelStore.from_dirs([models_dir])
    app = create_app()
    app.dependency_overrides[get_models] = lambda: store
    with TestClient(app) as c:
        yield c


def test_checkpoints_list_steps_curves_and_sizes(client: TestClient, models_dir: Path) -> None:
    r = client.get("/api/models/timed/checkpoints")
    assert r.status_code == 200
    body = r.json()
    assert body["steps"] == ck.schedule(12, 5) and body["steps"][0] == 0
    assert body["steps_per_epoch"] == 6
    assert body["curve"]["step"] == list(range(1, 13))
    assert len(body["val_accuracy"]) == len(body["steps"])
    assert body["file_bytes"] == (models_dir / "checkpoints" / "timed.npz").stat().st_size


def test_filters_at_a_step_are_that_checkpoints_weights(client: TestClient,
                                                        models_dir: Path) -> None:
    cks = ck.load(models_dir / "checkpoints" / "timed.npz")
    first = client.get("/api/models/timed/filters?step=0").json()
    np.testing.assert_allclose(first["weights"], cks.params(0)["conv1.W"], rtol=1e-6)
    final = client.get("/api/models/timed/filters").json()
    final_net = Network.load(models_dir / "timed.npz")
    np.testing.assert_allclose(final["weights"], final_net.params["conv1.W"], rtol=1e-6)
    assert not np.allclose(first["weights"], final["weights"])


def test_predict_at_a_step_uses_that_checkpoint(client: TestClient, models_dir: Path) -> None:
    cks = ck.load(models_dir / "checkpoints" / "timed.npz")
    x = np.full((28, 28), 0.3, np.float32)
    x[:14] = 0.9
    step = int(cks.steps[2])
    r = client.post(f"/api/models/timed/predict?step={step}",
                    json={"input": x.tolist(), "previews": False})
    assert r.status_code == 200
    net = tiny_net(0)
    net.params = cks.params(2)
    expected = net.predict(x)[0]
    np.testing.assert_allclose(r.json()["probabilities"], expected, rtol=1e-5, atol=1e-6)


def test_a_step_without_checkpoint_is_422_listing_the_steps(client: TestClient) -> None:
    r = client.get("/api/models/timed/filters?step=7")
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "unknown_step" and err["field"] == "step"
    assert err["limit"] == ", ".join(map(str, ck.schedule(12, 5)))
    assert client.get("/api/models/timed/filters?step=-1").status_code == 422


def test_a_model_without_checkpoints_is_404(client: TestClient) -> None:
    r = client.get("/api/models/plain/checkpoints")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert client.get("/api/models/plain/filters?step=0").status_code == 404
    assert client.get("/api/models/plain/filters").status_code == 200
