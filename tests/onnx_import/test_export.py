"""Export round trip: every shipped model written as ONNX gives onnxruntime's predictions equal to
ConvScope's on 1,000 inputs of its kind (MNIST digits; the colour model's synthetic images), and
imports back onto the engine proven equal."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from app.engine import Network
from app.engine.data import find_idx_pair, load_idx, to_float
from app.models.datasets import synthetic
from app.models.onnx_export import network_onnx_bytes, network_to_onnx
from app.models.onnx_import import import_onnx
from tests.onnx_import.ort import run_ort

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "app" / "models" / "shipped").glob("*.npz"))
DATA = ROOT.parent / "shared" / "data" / "mnist"


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    if not DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must provide the MNIST digits at {DATA}")
        pytest.skip(f"MNIST digits not found at {DATA}")
    x, _ = load_idx(*find_idx_pair(DATA, "mnist8k"))
    return to_float(x[:1000])


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_export_round_trips_through_onnxruntime(path: Path, digits: np.ndarray) -> None:
    net = Network.load(path)
    if tuple(net.input_shape) == (3, 32, 32):  # color-vgg: its own held-out kind of image
        digits = synthetic.generate(1000, seed=12345)[0].astype(np.float32)
    proto = network_to_onnx(net)
    ours = net.predict(digits)
    theirs = run_ort(proto, digits)[proto.graph.output[0].name]
    assert theirs.shape == (1000, 10)
    np.testing.assert_allclose(theirs, ours, atol=1e-5)
    assert (theirs.argmax(axis=1) == ours.argmax(axis=1)).all()
    back = import_onnx(network_onnx_bytes(net))
    assert back.match is not None and back.match.max_error < 1e-5
    np.testing.assert_allclose(back.model.predict(digits[:100]), ours[:100], atol=1e-5)
    assert [s.name for s in back.model.steps if s.kind == "conv"] == net.conv_layer_names()
