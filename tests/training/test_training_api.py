"""POST /api/training and its SSE stream, on a real app with a SQLite store in tmp_path: a short
run read over SSE (loss decreasing, filters changing, the model downloadable and predicting),
the setting limits at LIMIT and LIMIT+1, the queue with its position, 429 + Retry-After beyond
it, a stopped or crashed run freeing its slot. Waiting is on the store's own wait(), bounded."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.engine.network import Network
from app.main import create_app
from app.models.datasets.synthetic import generate
from app.services.training.job import EMIT_EVERY
from app.services.training.pool import default_workers
from tests.aio import run as run_async

SHORT = {"model": "color-vgg", "dataset": "synthetic", "examples": 200, "batch_size": 16,
         "epochs": 5, "max_steps": 40, "lr": 0.003, "augment": False}
LONG = {**SHORT, "max_steps": 2000, "epochs": 50}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path, training_workers=1, training_queue=1,
                        training_max_steps=2000, training_max_examples=5000)
    with TestClient(create_app(settings)) as c:
        yield c


def _token(started: dict) -> dict[str, str]:
    """The starter's header for a run's control endpoints."""
    return {"X-Training-Token": started["token"]}


def _events(text: str) -> list[dict]:
    out = []
    for frame in text.split("\n\n"):
        data = [line[6:] for line in frame.splitlines() if line.startswith("data: ")]
        if data:
            out.append(json.loads(data[0]))
    return out


def _wait_for(client: TestClient, run_id: str, kinds: set[str], budget_s: float = 120) -> dict:
    """The first event of run_id whose type is in kinds, waiting on the store (bounded)."""
    store = client.app.state.store  # type: ignore[attr-defined]
    after, waited = 0, 0.0
    while waited < budget_s:
        batch = run_async(store.wait(f"training:{run_id}", after, 5.0))
        waited += 5.0 if not batch else 0.0
        for event_id, data in batch:
            after = event_id
            event = json.loads(data)
            if event["type"] in kinds:
                return event
    raise AssertionError(f"no {kinds} event for {run_id}")


def test_a_short_run_streams_its_learning(client: TestClient) -> None:
    # long enough (~1-2 s) for several progress events at EMIT_EVERY on a quiet machine: the
    # events come by the clock, and 40 steps now take less than 3 × 0.2 s
    r = client.post("/api/training", json={**SHORT, "max_steps": 160, "epochs": 14})
    assert r.status_code == 202 and r.json()["status"] == "running" and r.json()["position"] == 0
    run_id = r.json()["id"]
    body = client.get(f"/api/training/{run_id}/events")
    assert body.headers["content-type"].startswith("text/event-stream")
    events = _events(body.text)
    kinds = [e["type"] for e in events]
    assert kinds[:2] == ["queued", "started"] and kinds[-1] == "finished"
    progress = [e for e in events if e["type"] == "progress"]
    assert len(progress) >= 3
    steps = [e["step"] for e in progress]
    assert steps == sorted(steps) and events[-1]["step"] == 160
    losses = [e["loss"] for e in progress]
    assert np.mean(losses[-3:]) < np.mean(losses[:3])  # the loss decreases
    assert progress[0]["filters"] != events[-1]["filters"]  # the filters change
    assert np.array(events[-1]["filters"]).shape == (16, 3, 3, 3)
    assert np.array(events[-1]["probe"]).shape == (4, 32, 32)
    assert events[-1]["val_accuracy"] > 0.3  # chance is 0.1
    npz = client.get(f"/api/training/{run_id}/model.npz")
    assert npz.status_code == 200
    with np.load(io.BytesIO(npz.content), allow_pickle=False) as z:
        arch = json.loads(str(z["__architecture__"]))
        params = {k: z[k] for k in z.files if not k.startswith("__")}
    net = Network(arch["id"], arch["name"], tuple(arch["input_shape"]), arch["layers"], params)
    x, t = generate(200, 99)
    assert net.accuracy(x, t) > 0.3


def test_emit_rate_and_default_pool_size() -> None:
    assert EMIT_EVERY <= 0.2  # ≥ 5 progress events per second while a run trains
    assert default_workers(2) == 1 and default_workers(8) == 4 and default_workers(1) == 1


@pytest.mark.parametrize(("field", "limit"), [("max_steps", 2000), ("examples", 5000)])
def test_setting_limits_at_limit_and_beyond(client: TestClient, field: str, limit: int) -> None:
    over = client.post("/api/training", json={**LONG, field: limit + 1})
    assert over.status_code == 422
    err = over.json()["error"]
    assert (err["code"], err["field"], err["limit"]) == ("training_limit", field, limit)
    ok = client.post("/api/training", json={**LONG, field: limit, "examples": 300}
                     if field == "max_steps" else {**LONG, field: limit, "max_steps": 1})
    assert ok.status_code == 202
    client.post(f"/api/training/{ok.json()['id']}/stop", headers=_token(ok.json()))
    _wait_for(client, ok.json()["id"], {"stopped", "finished", "failed"})


def test_unknown_dataset_and_run(client: TestClient) -> None:
    r = client.post("/api/training", json={**SHORT, "dataset": "fashion"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_dataset"
    assert client.get("/api/training/nope/events").status_code == 404
    assert client.post("/api/training/nope/stop").status_code == 404


def test_queue_position_429_and_stop_frees_the_slot(client: TestClient) -> None:
    a = client.post("/api/training", json=LONG).json()
    b = client.post("/api/training", json=LONG).json()
    assert (a["status"], b["status"], b["position"]) == ("running", "queued", 1)
    c = client.post("/api/training", json=LONG)
    assert c.status_code == 429 and c.json()["error"]["code"] == "training_busy"
    assert int(c.headers["Retry-After"]) >= 1
    _wait_for(client, a["id"], {"started"})
    assert client.post(f"/api/training/{a['id']}/stop", headers=_token(a)).status_code == 200
    stopped = _wait_for(client, a["id"], {"stopped"})
    assert stopped["reason"] == "request"
    started = _wait_for(client, b["id"], {"started"})  # the freed slot goes to the queued run
    assert started["step"] == 0
    client.post(f"/api/training/{b['id']}/stop", headers=_token(b))
    _wait_for(client, b["id"], {"stopped"})


def test_a_crashed_run_fails_and_frees_its_slot(client: TestClient, tmp_path: Path) -> None:
    (tmp_path / "bad-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03junk")
    (tmp_path / "bad-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01junk")
    r = client.post("/api/training", json={**SHORT, "dataset": "bad"})
    assert r.status_code == 202
    failed = _wait_for(client, r.json()["id"], {"failed"})
    assert "IdxError" in failed["reason"]
    nxt = client.post("/api/training", json={**SHORT, "max_steps": 2})
    assert nxt.status_code == 202  # running, or queued until the crashed process is reaped
    assert _wait_for(client, nxt.json()["id"], {"finished", "failed"})["type"] == "finished"
