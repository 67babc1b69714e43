"""Training loop: converges on a small synthetic set in seconds, deterministic for a seed; CLI."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from app.engine import Network
from app.engine.optim import SGD, Adam
from app.engine.train import BatchInfo, TrainConfig, lr_at, train

LAYERS = [
    {"name": "conv1", "type": "conv", "filters": 4, "size": 3, "stride": 1, "pad": 1},
    {"name": "relu1", "type": "relu"},
    {"name": "pool1", "type": "pool", "size": 2, "stride": 2},
    {"name": "affine1", "type": "affine", "units": 16},
    {"name": "relu2", "type": "relu"},
    {"name": "affine2", "type": "affine", "units": 3},
    {"name": "softmax", "type": "softmax"},
]


def bars(n: int, seed: int, size: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Class 0: a horizontal bar, 1: a vertical bar, 2: a diagonal; random place, noise."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, 1, size, size), dtype=np.float32) * 0.3
    t = rng.integers(0, 3, n)
    for i in range(n):
        k = rng.integers(1, size - 1)
        if t[i] == 0:
            x[i, 0, k, 1:-1] = 1
        elif t[i] == 1:
            x[i, 0, 1:-1, k] = 1
        else:
            np.fill_diagonal(x[i, 0], 1)
    return x, t


def net(seed: int = 0) -> Network:
    return Network("bars", "Bars", (1, 10, 10), LAYERS, seed=seed)


def test_converges_on_synthetic_bars() -> None:
    x, t = bars(600, 0)
    xv, tv = bars(200, 1)
    n = net()
    seen: list[BatchInfo] = []
    h = train(n, x, t, TrainConfig(epochs=4, batch_size=50, lr=0.01, seed=0, max_shift=1),
              xv, tv, on_batch=seen.append)
    assert len(seen) == 4 * 12
    assert seen[-1] == BatchInfo(4, 12, 12, seen[-1].loss, seen[-1].accuracy)
    assert h.epochs[0].train_loss > h.epochs[-1].train_loss
    assert h.epochs[-1].val_accuracy is not None and h.epochs[-1].val_accuracy >= 0.97
    assert n.accuracy(xv, tv) == pytest.approx(h.epochs[-1].val_accuracy)


def test_deterministic_for_a_seed() -> None:
    x, t = bars(200, 2)
    cfg = TrainConfig(epochs=2, batch_size=40, lr=0.005, seed=11, max_shift=1)
    a, b, c = net(3), net(3), net(3)
    ha, hb = train(a, x, t, cfg), train(b, x, t, cfg)
    train(c, x, t, TrainConfig(epochs=2, batch_size=40, lr=0.005, seed=12, max_shift=1))
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert [e.train_loss for e in ha.epochs] == [e.train_loss for e in hb.epochs]
    assert not np.array_equal(a.params["conv1.W"], c.params["conv1.W"])


def test_cosine_schedule_and_optimisers() -> None:
    cfg = TrainConfig(lr=0.1, min_lr_ratio=0.1)
    assert lr_at(cfg, 0, 11) == pytest.approx(0.1)
    assert lr_at(cfg, 5, 11) == pytest.approx(0.055)
    assert lr_at(cfg, 10, 11) == pytest.approx(0.01)
    p = {"w": np.array([1.0, -2.0], np.float32)}
    SGD(0.5).update(p, {"w": np.array([2.0, 2.0], np.float32)})
    np.testing.assert_allclose(p["w"], [0.0, -3.0])
    adam = Adam(0.1)
    adam.update(p, {"w": np.array([4.0, -0.5], np.float32)})  # first step moves ≈ lr·sign(g)
    np.testing.assert_allclose(p["w"], [-0.1, -2.9], atol=1e-5)
    with pytest.raises(ValueError, match="same, non-zero"):
        train(net(), np.zeros((0, 1, 10, 10), np.float32), np.zeros(0), cfg)


def _write_idx(folder: Path, x: np.ndarray, t: np.ndarray) -> None:
    (folder / "train-images-idx3-ubyte").write_bytes(
        struct.pack(">IIII", 2051, *x.shape) + x.tobytes())
    (folder / "train-labels-idx1-ubyte").write_bytes(struct.pack(">II", 2049, len(t)) + t.tobytes())


def test_cli_train_writes_weights_card_and_curve(tmp_path: Path, capsys) -> None:
    from app.cli import main

    rng = np.random.default_rng(0)
    t = rng.integers(0, 2, 300).astype(np.uint8)
    x = np.zeros((300, 28, 28), np.uint8)
    x[t == 0, 8:20, 13:15] = 255   # "1": a vertical stroke
    x[t == 1, 13:15, 8:20] = 255   # a horizontal one
    _write_idx(tmp_path, x, t)
    out = tmp_path / "models" / "tiny.npz"
    rc = main(["train", "--data", str(tmp_path), "--epochs", "1", "--val", "50", "--test", "50",
               "--augment", "--out", str(out), "--no-progress"])
    assert rc == 0
    card = json.loads(out.with_suffix(".json").read_text())
    split = card["split"]
    assert card["id"] == "tiny" and (split["train"], split["validation"], split["test"]) == (
        200, 50, 50)
    assert card["validation_accuracy"] >= 0.9 and card["test_accuracy"] >= 0.9
    assert out.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    loaded = Network.load(out)
    assert loaded.id == "tiny" and loaded.meta["validation_accuracy"] == card["validation_accuracy"]
    assert "validation accuracy" in capsys.readouterr().out


def test_cli_train_explains_missing_data(tmp_path: Path, capsys) -> None:
    from app.cli import main

    assert main(["train", "--data", str(tmp_path / "none"), "--out", str(tmp_path / "m.npz")]) == 2
    assert "no such folder" in capsys.readouterr().err
