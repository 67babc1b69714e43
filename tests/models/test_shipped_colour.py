"""The colour model for slides 11–13 (color-vgg, trained on app/models/datasets/synthetic.py):
the dataset is deterministic and balanced, the model reproduces its card's held-out accuracy
(≥ 95 %), its conv1 is a true (FN, 3, FH, FW) bank, and it answers predictions for colour arrays
and uploads. Also: every shipped model ships its training checkpoints."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.engine import Network
from app.engine.data import split_indices
from app.main import create_app
from app.models import checkpoints as ck
from app.models.datasets.synthetic import CLASSES, generate, to_uint8_hwc

MODELS = Path(__file__).resolve().parents[2] / "app" / "models" / "shipped"


def test_synthetic_is_deterministic_balanced_and_in_range() -> None:
    x1, t1 = generate(50, 3)
    x2, t2 = generate(50, 3)
    assert np.array_equal(x1, x2) and np.array_equal(t1, t2)
    assert not np.array_equal(generate(50, 4)[0], x1)
    assert x1.shape == (50, 3, 32, 32) and x1.dtype == np.float32
    assert x1.min() >= 0 and x1.max() <= 1
    assert np.bincount(t1, minlength=10).tolist() == [5] * 10


def test_colour_decides_the_class_red_blob_is_reddest() -> None:
    x, t = generate(200, 0)
    red = [i for i, (c, _) in enumerate(CLASSES) if c == "red"]
    redness = x[:, 0].mean(axis=(1, 2)) - x[:, 1:].mean(axis=(1, 2, 3))
    assert redness[np.isin(t, red)].mean() > redness[~np.isin(t, red)].mean() + 0.05


def test_colour_model_reproduces_its_card() -> None:
    net = Network.load(MODELS / "color-vgg.npz")
    card = json.loads((MODELS / "color-vgg.json").read_text(encoding="utf-8"))
    assert net.input_shape == (3, 32, 32)
    assert net.conv_weights("conv1").shape == (16, 3, 3, 3)
    assert card["validation_accuracy"] >= 0.95 and card["test_accuracy"] >= 0.95
    x, t = generate(card["data"]["examples"], card["data"]["seed"])
    _, val, test = split_indices(len(x), card["split"]["validation"], card["split"]["test"],
                                 card["split"]["seed"])
    assert net.accuracy(x[val], t[val]) == pytest.approx(card["validation_accuracy"], abs=1e-9)
    assert net.accuracy(x[test], t[test]) == pytest.approx(card["test_accuracy"], abs=1e-9)


@pytest.mark.parametrize("model_id", ["simple-convnet", "slide4-cnn", "color-vgg"])
def test_every_shipped_model_has_30_checkpoints_of_its_training(model_id: str) -> None:
    path = MODELS / "checkpoints" / f"{model_id}.npz"
    assert path.exists(), f"{model_id}: its checkpoints are not shipped"
    cks = ck.load(path)
    card = json.loads((MODELS / f"{model_id}.json").read_text(encoding="utf-8"))
    per_epoch = -(-card["split"]["train"] // card["batch_size"])
    assert cks.steps.tolist() == ck.schedule(card["epochs"] * per_epoch, 30)
    assert cks.val_accuracy[-1] == pytest.approx(card["validation_accuracy"], abs=0.003)
    assert cks.val_accuracy[0] < 0.5  # the initial weights: near chance
    assert cks.curve.shape == (cks.steps[-1], 3)
    final = Network.load(MODELS / f"{model_id}.npz").params
    last = cks.params(len(cks.steps) - 1)["conv1.W"]
    note = card["checkpoints"]["note"]
    if "re-run" in note:  # the card says so: the timeline ends at the re-run, not these weights
        assert not np.allclose(last, final["conv1.W"], atol=2e-3)
    else:
        np.testing.assert_allclose(last, final["conv1.W"], atol=2e-3)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


def test_predict_a_colour_array_and_upload(client: TestClient) -> None:
    x, t = generate(20, 7)
    net = Network.load(MODELS / "color-vgg.npz")
    r = client.post("/api/models/color-vgg/predict", json={"input": x[0].tolist(),
                                                           "previews": False})
    assert r.status_code == 200
    np.testing.assert_allclose(r.json()["probabilities"], net.predict(x[0])[0], rtol=1e-4,
                               atol=1e-6)
    assert r.json()["label"] == t[0]
    right = 0
    for i in range(10):
        buf = io.BytesIO()
        Image.fromarray(to_uint8_hwc(x[i:i + 1])[0]).save(buf, "PNG")
        r = client.post("/api/models/color-vgg/predict", files={"image": ("x.png", buf.getvalue())})
        assert r.status_code == 200 and len(r.json()["input"]["values"]) == 3
        right += r.json()["label"] == t[i]
    assert right >= 9


def test_a_digit_for_the_colour_model_is_422_naming_both_shapes(client: TestClient) -> None:
    r = client.post("/api/models/color-vgg/predict", json={"input": [[0.0] * 28] * 28})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "model_input_mismatch" and "3×32×32" in err["message"]
    assert "1×28×28" in err["message"]


def test_colour_filters_are_a_true_bank_usable_in_convolve(client: TestClient) -> None:
    f = client.get("/api/models/color-vgg/filters").json()
    assert f["shape"] == [16, 3, 3, 3]
    img = np.zeros((8, 8, 3), np.uint8)
    img[:, :, 0] = 200
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "PNG")
    r = client.post("/api/convolve", files={"image": ("x.png", buf.getvalue())},
                    data={"spec": json.dumps({"kernel": {"model": "color-vgg", "layer": "conv1"},
                                              "color": "rgb", "pad": 1})})
    assert r.status_code == 200 and r.json()["shape"] == [1, 16, 8, 8]
