"""One Network serves many threads: inference computes from local variables only."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from app.engine.functional import softmax
from app.engine.network import Network, build


@pytest.fixture
def fast_switching() -> Iterator[None]:
    """Switch threads as often as possible so interleavings between lines really happen."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


def _state(net: Network) -> dict[str, object]:
    """Every per-request array a layer object could keep (x, out, mask)."""
    return {f"{i}.{a}": getattr(layer, a) for i, layer in enumerate(net.layers)
            for a in ("x", "out", "mask") if getattr(layer, a, None) is not None}


def test_forward_stages_and_predict_leave_nothing_on_the_layers() -> None:
    net = build("simple-convnet", seed=3)
    x = np.random.default_rng(0).random((2, 1, 28, 28), dtype=np.float32)
    stages = net.forward_stages(x)
    probs = net.predict(x)
    assert _state(net) == {}
    assert [s.name for s in stages] == ["input", "conv1", "relu1", "pool1", "affine1", "relu2",
                                        "affine2", "softmax"]
    assert stages[1].data.shape == (2, 30, 24, 24) and stages[3].data.shape == (2, 30, 12, 12)
    np.testing.assert_allclose(stages[-1].data, probs, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(probs.sum(axis=1), [1.0, 1.0], rtol=1e-5)


def test_inference_matches_the_training_path() -> None:
    net = build("slide4-cnn", seed=1)
    x = np.random.default_rng(1).random((3, 1, 28, 28), dtype=np.float32)
    np.testing.assert_allclose(net.predict(x), softmax(net.scores(x)), rtol=1e-5, atol=1e-7)


def test_two_threads_many_calls_equal_single_threaded(fast_switching: None) -> None:
    net = build("simple-convnet", seed=5)
    rng = np.random.default_rng(2)
    inputs = [rng.random((1, 1, 28, 28), dtype=np.float32) * (k + 1) for k in range(2)]
    expected = [(net.predict(x), [s.data for s in net.forward_stages(x)]) for x in inputs]
    failures: list[str] = []

    def work(k: int) -> None:
        for i in range(60):
            probs = net.predict(inputs[k])
            stages = net.forward_stages(inputs[k])
            if not np.array_equal(probs, expected[k][0]):
                failures.append(f"thread {k} call {i}: predict differs")
            for s, e in zip(stages, expected[k][1], strict=True):
                if not np.array_equal(s.data, e):
                    failures.append(f"thread {k} call {i}: stage {s.name} differs")

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert _state(net) == {}
