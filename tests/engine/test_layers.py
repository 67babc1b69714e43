"""Every layer's backward against central differences, forward against the oracle, no mutation.

The layers compute in float32, so the check uses a loss L = Σ out · G with a fixed random G,
steps of 1e-2 and tolerances fit for float32 (conv and pooling are piecewise linear, so the
central difference is exact up to rounding).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from app.engine import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss
from app.engine.reference import avg_pool2d_naive, conv2d_naive, max_pool2d_naive

EPS = 1e-2


def numerical_grad(f: Callable[[], float], a: np.ndarray) -> np.ndarray:
    """∂f/∂a by central differences, perturbing a (float32) in place and restoring it."""
    grad = np.zeros(a.shape, np.float64)
    for i in np.ndindex(a.shape):
        old = a[i]
        a[i] = old + np.float32(EPS)
        hi = f()
        a[i] = old - np.float32(EPS)
        lo = f()
        a[i] = old
        grad[i] = (hi - lo) / (2 * EPS)
    return grad


def assert_grad(analytic: np.ndarray, numeric: np.ndarray) -> None:
    assert analytic.shape == numeric.shape
    assert analytic.dtype == np.float32
    scale = max(1.0, float(np.abs(numeric).max()))
    assert float(np.abs(analytic - numeric).max()) <= 2e-3 * scale


def check_layer(layer, x: np.ndarray, params: tuple[str, ...] = ()) -> np.ndarray:
    """Backward of L = Σ forward(x)·G against numerical gradients for x and each param."""
    rng = np.random.default_rng(1)
    out = layer.forward(x)
    G = rng.standard_normal(out.shape).astype(np.float32)
    x_before, G_before = x.copy(), G.copy()
    dx = layer.backward(G)
    assert np.array_equal(x, x_before) and np.array_equal(G, G_before)

    def loss() -> float:
        return float((layer.forward(x).astype(np.float64) * G).sum())

    grads = {name: getattr(layer, "d" + name).copy() for name in params}
    assert_grad(dx, numerical_grad(loss, x))
    for name in params:
        assert_grad(grads[name], numerical_grad(loss, getattr(layer, name)))
    return out


@pytest.mark.parametrize(("stride", "pad", "shape"), [
    (1, 0, (2, 3, 6, 5)), (2, 1, (2, 2, 7, 7)), ((1, 2), (2, 1), (1, 2, 5, 6)),
])
def test_convolution_gradients(stride, pad, shape) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    W = rng.standard_normal((3, shape[1], 3, 2)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    layer = Convolution(W, b, stride=stride, pad=pad)
    out = check_layer(layer, x, ("W", "b"))
    assert np.abs(out - conv2d_naive(x, W, b, stride=stride, pad=pad)).max() < 1e-4


def _distinct(shape: tuple[int, ...]) -> np.ndarray:
    """Values at least 0.05 apart (no ties or near-ties in a max window), shuffled."""
    v = np.arange(int(np.prod(shape)), dtype=np.float32) * np.float32(0.05) - 1
    return np.random.default_rng(2).permutation(v).reshape(shape)


@pytest.mark.parametrize(("mode", "size", "stride", "pad"), [
    ("max", 2, None, 0), ("max", 3, 2, 1), ("avg", 2, None, 0), ("avg", 3, (1, 2), 1),
])
def test_pooling_gradients(mode, size, stride, pad) -> None:
    x = _distinct((2, 2, 7, 6))
    layer = Pooling(size, size, stride=stride, pad=pad, mode=mode)
    out = check_layer(layer, x)
    naive = max_pool2d_naive if mode == "max" else avg_pool2d_naive
    assert np.abs(out - naive(x, size, stride, pad)).max() < 1e-5


def test_max_pooling_tie_goes_to_first_maximum() -> None:
    x = np.array([[[[1, 1], [0, 1]]]], np.float32)
    layer = Pooling(2, 2)
    layer.forward(x)
    assert layer.backward(np.ones((1, 1, 1, 1), np.float32)).tolist() == [[[[1, 0], [0, 0]]]]


def test_relu_gradient() -> None:
    x = _distinct((2, 3, 4))
    x[np.abs(x) < 0.03] = 0.5  # keep every value clear of the kink by more than EPS
    out = check_layer(Relu(), x)
    assert out.tolist() == np.maximum(x, 0).tolist()


def test_affine_gradients() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 2, 2, 2)).astype(np.float32)
    layer = Affine(rng.standard_normal((8, 4)).astype(np.float32),
                   rng.standard_normal(4).astype(np.float32))
    out = check_layer(layer, x, ("W", "b"))
    assert np.allclose(out, x.reshape(3, 8) @ layer.W + layer.b, atol=1e-5)


@pytest.mark.parametrize("onehot", [False, True])
def test_softmax_with_loss_gradient(onehot: bool) -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal((4, 5)).astype(np.float32)
    t = np.array([0, 3, 4, 1])
    labels = np.eye(5, dtype=np.float32)[t] if onehot else t
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, labels)
    y = np.exp(x - x.max(1, keepdims=True))
    y /= y.sum(1, keepdims=True)
    assert loss == pytest.approx(-np.log(y[np.arange(4), t] + 1e-7).mean(), rel=1e-5)
    dx = layer.backward(1.0)
    assert_grad(dx, numerical_grad(lambda: layer.forward(x, labels), x))


def test_convolution_reads_replaced_weights() -> None:
    """Network code swaps layer.W / layer.b between calls: forward must use the current ones."""
    x = np.ones((1, 1, 3, 3), np.float32)
    layer = Convolution(np.ones((1, 1, 3, 3)), np.zeros(1))
    assert layer.forward(x).item() == 9
    layer.W, layer.b = np.full((1, 1, 3, 3), 2, np.float32), np.ones(1, np.float32)
    assert layer.forward(x).item() == 19
