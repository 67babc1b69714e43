"""The shipped models load and reproduce their model card's validation (and test) accuracy.

Needs the MNIST digits in ../shared/data/mnist (or CONVSCOPE_DATA_DIR); skipped with a clear
message when they are absent (a fresh clone), never in CI, which has them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from app.engine import Network
from app.engine.data import find_idx_pair, load_idx, split_indices, to_float

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "app" / "models" / "shipped"
SHIPPED = ("simple-convnet", "slide4-cnn")
DATA = Path(os.environ.get("CONVSCOPE_DATA_DIR", ROOT.parent / "shared" / "data" / "mnist"))


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    if not DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must provide the MNIST digits at {DATA}")
        pytest.skip(f"MNIST digits not found at {DATA} (set CONVSCOPE_DATA_DIR to the folder with "
                    f"mnist8k-images-idx3-ubyte.gz) — cannot check the shipped accuracies")
    x, t = load_idx(*find_idx_pair(DATA, "mnist8k"))
    return to_float(x), t.astype(np.int64)


@pytest.mark.parametrize("model_id", SHIPPED)
def test_shipped_files_and_card(model_id: str) -> None:
    net = Network.load(MODELS / f"{model_id}.npz")
    card = json.loads((MODELS / f"{model_id}.json").read_text(encoding="utf-8"))
    assert net.id == card["id"] == model_id
    assert (MODELS / f"{model_id}.png").read_bytes()[:4] == b"\x89PNG"
    assert (MODELS / f"{model_id}.npz").stat().st_size < 4_000_000
    for key in ("architecture", "data", "split", "seed", "epochs", "validation_accuracy",
                "test_accuracy", "training_time_s"):
        assert key in card, key
    assert card["validation_accuracy"] >= 0.985 and card["test_accuracy"] >= 0.985
    assert net.meta["validation_accuracy"] == card["validation_accuracy"]


@pytest.mark.parametrize("model_id", SHIPPED)
def test_shipped_accuracy_reproduces(model_id: str, digits) -> None:
    x, t = digits
    net = Network.load(MODELS / f"{model_id}.npz")
    card = json.loads((MODELS / f"{model_id}.json").read_text(encoding="utf-8"))
    s = card["split"]
    assert s["train"] + s["validation"] + s["test"] == len(x) == card["data"]["examples"]
    _, val, test = split_indices(len(x), s["validation"], s["test"], s["seed"])
    # one digit of slack: a faster engine may sum in another order and flip a near-tie
    one = 1.01 / min(len(val), len(test))
    assert net.accuracy(x[val], t[val]) == pytest.approx(card["validation_accuracy"], abs=one)
    assert net.accuracy(x[test], t[test]) == pytest.approx(card["test_accuracy"], abs=one)
