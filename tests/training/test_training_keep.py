"""Keeping a run's model (issue 15): POST /api/training/{id}/keep adds it to the imported
models (onnx-…), which then predict like the run's own .npz weights; GET …/model.onnx loads in
onnxruntime and matches the engine; the control and keep endpoints need the starter's token
(none or a wrong one → 403, the run goes on). One short run (30 steps) for the whole module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.models.datasets.synthetic import NAMES_EN, generate
from app.services.training.keep import run_network
from tests.training.test_training_api import _wait_for

RUN = {"model": "color-vgg", "dataset": "synthetic", "examples": 200, "batch_size": 16,
       "epochs": 5, "max_steps": 30, "lr": 0.003, "augment": False}


@pytest.fixture(scope="module")
def ended(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict, dict]]:
    """A client, the start answer of a run, and its final event; control tried while it ran."""
    tmp: Path = tmp_path_factory.mktemp("keep")
    settings = Settings(data_dir=tmp, training_workers=1, training_queue=1,
                        training_max_steps=2000, training_max_examples=5000)
    with TestClient(create_app(settings)) as c:
        started = c.post("/api/training", json=RUN)
        assert started.status_code == 202
        run = started.json()
        assert len(run["token"]) >= 32
        # a run id alone does not let anyone pause or stop it
        for command in ("stop", "pause", "resume"):
            for headers in ({}, {"X-Training-Token": "not-the-token"},
                            {"X-Training-Token": ""}):
                r = c.post(f"/api/training/{run['id']}/{command}", headers=headers)
                assert r.status_code == 403, (command, headers)
                err = r.json()["error"]
                assert (err["code"], err["field"]) == ("training_forbidden", "X-Training-Token")
        final = _wait_for(c, run["id"], {"finished", "stopped", "failed"})
        yield c, run, final


def _npz_net(client: TestClient, run_id: str):
    r = client.get(f"/api/training/{run_id}/model.npz")
    assert r.status_code == 200
    return run_network(r.content)


def test_without_the_token_the_run_went_on_to_its_end(ended) -> None:
    _, _, final = ended
    assert final["type"] == "finished" and final["step"] == 30  # not stopped by the 403s


def test_the_starter_may_still_control(ended) -> None:
    client, run, _ = ended
    r = client.post(f"/api/training/{run['id']}/resume", headers={"X-Training-Token": run["token"]})
    assert r.status_code == 200 and r.json() == {"id": run["id"], "requested": "resume"}


def test_onnx_download_matches_the_engine_in_onnxruntime(ended) -> None:
    client, run, _ = ended
    r = client.get(f"/api/training/{run['id']}/model.onnx")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == f'attachment; filename="{run["id"]}.onnx"'
    session = ort.InferenceSession(r.content, providers=["CPUExecutionProvider"])
    x, _ = generate(20, 7)
    got = session.run(None, {"x": x.astype(np.float32)})[0]
    want = _npz_net(client, run["id"]).predict(x)
    assert got.shape == want.shape == (20, 10)
    np.testing.assert_allclose(got, want, atol=1e-5)
    assert client.get("/api/training/nope/model.onnx").status_code == 404


def test_keep_needs_the_token_and_predicts_like_the_run(ended) -> None:
    client, run, final = ended
    url = f"/api/training/{run['id']}/keep"
    assert client.post(url).status_code == 403
    assert client.post(url, headers={"X-Training-Token": "x" * 32}).status_code == 403
    assert client.post("/api/training/nope/keep").status_code == 404
    r = client.post(url, headers={"X-Training-Token": run["token"]})
    assert r.status_code == 201
    kept = r.json()
    assert kept["id"].startswith("onnx-") and kept["url"] == f"/?view=network&model={kept['id']}"
    acc = round(100 * final["val_accuracy"])
    assert kept["name"] == f"Trained color-vgg, 30 steps, {acc} %"
    assert kept["labels"] == NAMES_EN and kept["normalisation"] == "0-1"
    assert kept["badge"].startswith("matches")
    detail = client.get(f"/api/models/{kept['id']}")
    assert detail.status_code == 200 and detail.json()["input_shape"] == [3, 32, 32]
    net = _npz_net(client, run["id"])
    x, _ = generate(5, 11)
    want = net.predict(x)
    for i in range(len(x)):
        p = client.post(f"/api/models/{kept['id']}/predict", json={"input": x[i].tolist(),
                                                                   "previews": False})
        assert p.status_code == 200
        body = p.json()
        np.testing.assert_allclose(body["probabilities"], want[i], atol=1e-5)
        assert body["label"] == int(want[i].argmax())
        assert body["label_name"] == NAMES_EN[int(want[i].argmax())]
    # keeping twice gives two ids (the bytes are stored once)
    again = client.post(url, headers={"X-Training-Token": run["token"]}).json()
    assert again["id"] != kept["id"]
