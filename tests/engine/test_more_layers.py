"""The engine's more_layers.py (used by imported models): forward against the naive
oracles of app/engine/reference.py, backward against central differences (check_layer of
test_layers.py)."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import reference as ref
from app.engine.activations import softmax
from app.engine.more_layers import (
    BatchNorm,
    Clip,
    Flatten,
    GlobalAvgPool,
    LeakyRelu,
    LogSoftmax,
    Pad,
    Sigmoid,
    SoftmaxLayer,
    Tanh,
)
from tests.engine.test_layers import check_layer

RNG = np.random.default_rng(7)


def _x(*shape: int) -> np.ndarray:
    x = RNG.standard_normal(shape).astype(np.float32) * 2
    x[np.abs(x) < 0.05] += 0.2  # keep values away from kinks (0, clip bounds) for the differences
    return x


def test_sigmoid_tanh_match_oracles_and_gradients() -> None:
    x = _x(2, 3, 4, 4)
    np.testing.assert_allclose(check_layer(Sigmoid(), x), ref.sigmoid_naive(x), atol=1e-6)
    np.testing.assert_allclose(check_layer(Tanh(), x), ref.tanh_naive(x), atol=1e-6)
    big = np.array([[-100.0, 100.0, 0.0]], np.float32)  # no overflow warnings, exact ends
    out = Sigmoid().forward(big)
    assert out[0, 0] < 1e-40 and out[0, 1:].tolist() == [1.0, 0.5]


def test_leaky_relu_and_clip() -> None:
    x = _x(2, 2, 3, 3)
    np.testing.assert_allclose(check_layer(LeakyRelu(0.1), x), ref.leaky_relu_naive(x, 0.1),
                               atol=1e-7)
    x6 = x * 4
    x6[np.abs(x6 - 6) < 0.05] += 0.2
    out = check_layer(Clip(0.0, 6.0), x6)
    assert out.min() >= 0 and out.max() <= 6
    np.testing.assert_array_equal(out, ref.clip_naive(x6, 0.0, 6.0))


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (4, 3)])
def test_batch_norm(shape: tuple[int, ...]) -> None:
    C = shape[1]
    gamma, beta = _x(C), _x(C)
    mean, var = _x(C), np.abs(_x(C)) + 0.5
    layer = BatchNorm(gamma, beta, mean, var, eps=1e-3)
    x = _x(*shape)
    out = check_layer(layer, x, ("gamma", "beta"))
    np.testing.assert_allclose(out, ref.batch_norm_naive(x, gamma, beta, mean, var, 1e-3),
                               rtol=1e-5, atol=1e-5)


def test_global_avg_pool_pad_flatten() -> None:
    x = _x(2, 3, 5, 4)
    np.testing.assert_allclose(check_layer(GlobalAvgPool(), x), ref.global_avg_pool_naive(x),
                               atol=1e-6)
    out = check_layer(Pad((1, 0, 2, 3), value=0.5), x)
    assert out.shape == (2, 3, 8, 7) and out[0, 0, 0, 0] == 0.5
    np.testing.assert_array_equal(out[:, :, 1:6, 0:4], x)
    assert check_layer(Flatten(), x).shape == (2, 60)


def test_softmax_and_log_softmax() -> None:
    x = _x(3, 10)
    np.testing.assert_allclose(check_layer(SoftmaxLayer(), x), ref.softmax_naive(x), atol=1e-6)
    np.testing.assert_allclose(softmax(x), ref.softmax_naive(x), atol=1e-6)
    out = check_layer(LogSoftmax(), x)
    np.testing.assert_allclose(out, ref.log_softmax_naive(x), atol=1e-6)
    np.testing.assert_allclose(np.exp(out).sum(axis=1), 1.0, atol=1e-6)
