"""The training layers (app/engine/fast/training.py) against the core layers, the naive oracle,
numerical gradients and (where installed) torch autograd; the network's gradient with them."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import Convolution, Pooling, Relu, build
from app.engine.fast.training import (
    MAX_WINDOW,
    TrainConvolution,
    TrainPooling,
    TrainRelu,
    training_layers,
)
from app.engine.optim import Adam
from app.engine.reference import conv2d_naive, max_pool2d_naive

from ..test_layers import _distinct, check_layer


def _rand(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _both(core, fast, x: np.ndarray, seed: int = 5) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(out, dx) of the core and the fast layer for the same x and a random dout."""
    out_c, out_f = core.forward(x), fast.forward(x)
    dout = _rand(out_c.shape, seed)
    return [out_c, core.backward(dout)], [out_f, fast.backward(dout)]


CONV_CASES = [  # (x shape, W shape, stride, pad)
    ((3, 1, 28, 28), (30, 1, 5, 5), 1, 0),   # simple-convnet's conv1
    ((2, 3, 9, 8), (4, 3, 3, 3), 1, 1),
    ((2, 2, 7, 7), (3, 2, 3, 2), 2, 1),
    ((1, 2, 5, 6), (3, 2, 3, 2), (1, 2), (2, 1)),
    ((2, 1, 4, 4), (2, 1, 4, 4), 1, 0),      # one output pixel
]


@pytest.mark.parametrize(("xs", "ws", "stride", "pad"), CONV_CASES)
def test_conv_equals_core_and_oracle(xs, ws, stride, pad) -> None:
    x, W, b = _rand(xs, 1), _rand(ws, 2), _rand(ws[:1], 3)
    core = Convolution(W, b, stride=stride, pad=pad)
    fast = TrainConvolution(W, b, stride=stride, pad=pad)
    (oc, dc), (of, df) = _both(core, fast, x)
    assert of.shape == oc.shape and of.dtype == np.float32 and of.flags.c_contiguous
    np.testing.assert_allclose(of, oc, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(of, conv2d_naive(x, W, b, stride=stride, pad=pad), atol=1e-4)
    np.testing.assert_allclose(df, dc, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(fast.dW, core.dW, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(fast.db, core.db, rtol=1e-5, atol=1e-4)
    assert fast.dW.dtype == fast.db.dtype == df.dtype == np.float32


@pytest.mark.parametrize(("stride", "pad"), [(1, 0), (2, 1), ((1, 2), (2, 1))])
def test_conv_gradients_numerically(stride, pad) -> None:
    W, b = _rand((3, 2, 3, 2), 2), _rand((3,), 3)
    check_layer(TrainConvolution(W, b, stride=stride, pad=pad), _rand((2, 2, 6, 5), 1),
                ("W", "b"))


def test_conv_without_input_grad_gives_the_same_parameter_gradients() -> None:
    x, W, b = _rand((2, 1, 8, 8), 1), _rand((4, 1, 3, 3), 2), _rand((4,), 3)
    full, first = TrainConvolution(W, b), TrainConvolution(W, b, input_grad=False)
    dout = _rand(full.forward(x).shape, 4)
    first.forward(x)
    assert full.backward(dout).shape == x.shape
    assert first.backward(dout).size == 0  # ∂L/∂x not computed
    assert np.array_equal(first.dW, full.dW) and np.array_equal(first.db, full.db)


def test_conv_reads_weights_updated_in_place_and_keeps_arguments() -> None:
    x, W, b = _rand((1, 1, 5, 5), 1), _rand((2, 1, 3, 3), 2), np.zeros(2, np.float32)
    layer = TrainConvolution(W, b)
    assert layer.W is W and layer.b is b  # shares the network's params
    before = layer.forward(x)
    W *= 2
    b += 1
    np.testing.assert_allclose(layer.forward(x), 2 * before + 1, rtol=1e-6)
    x0, d = x.copy(), _rand(before.shape, 3)
    d0 = d.copy()
    layer.backward(d)
    assert np.array_equal(x, x0) and np.array_equal(d, d0)


POOL_CASES = [  # (x shape, pool_h, pool_w): all take the fast path
    ((3, 30, 24, 24), 2, 2), ((2, 3, 9, 6), 3, 3), ((2, 2, 6, 9), 2, 3), ((1, 1, 2, 2), 2, 2),
]


@pytest.mark.parametrize(("xs", "ph", "pw"), POOL_CASES)
def test_max_pool_equals_core_exactly_with_ties(xs, ph, pw) -> None:
    """Small integers: many ties (and relu-like zeros); the gradient goes to the first
    maximum, as the core's np.argmax, bit for bit."""
    x = np.random.default_rng(0).integers(-2, 3, xs).astype(np.float32)
    x[0, 0] = 0  # a plane of zeros: every window a four-way tie
    core, fast = Pooling(ph, pw), TrainPooling(ph, pw)
    (oc, dc), (of, df) = _both(core, fast, x)
    assert fast.cols_arg is not None  # the fast path ran
    assert np.array_equal(of, oc) and np.array_equal(df, dc)
    assert np.array_equal(of, max_pool2d_naive(x, (ph, pw), (ph, pw), 0))


def test_max_pool_gradient_numerically_and_first_tie() -> None:
    check_layer(TrainPooling(2, 2), _distinct((2, 2, 6, 4)))
    layer = TrainPooling(2, 2)
    layer.forward(np.array([[[[1, 1], [0, 1]]]], np.float32))
    assert layer.backward(np.ones((1, 1, 1, 1), np.float32)).tolist() == [[[[1, 0], [0, 0]]]]


@pytest.mark.parametrize(("size", "fast_path"), [(MAX_WINDOW, True), (MAX_WINDOW + 1, False)])
def test_max_pool_window_limit(size: int, fast_path: bool) -> None:
    x = _rand((1, 1, size, size), 1)
    core, fast = Pooling(size, size), TrainPooling(size, size)
    (oc, dc), (of, df) = _both(core, fast, x)
    assert (fast.cols_arg is not None) is fast_path
    assert np.array_equal(of, oc) and np.array_equal(df, dc)


@pytest.mark.parametrize("kw", [
    dict(pool_h=2, pool_w=2, stride=1), dict(pool_h=2, pool_w=2, pad=1),
    dict(pool_h=2, pool_w=2, mode="avg"), dict(pool_h=1, pool_w=2), dict(pool_h=2, pool_w=2),
])
def test_max_pool_other_settings_take_the_core_path(kw) -> None:
    x = _rand((2, 2, 7, 6), 1)  # 7 rows: not a multiple of 2 either
    core, fast = Pooling(**kw), TrainPooling(**kw)
    (oc, dc), (of, df) = _both(core, fast, x)
    assert fast.cols_arg is None
    assert np.array_equal(of, oc) and np.array_equal(df, dc)


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_max_pool_non_finite_input_or_dout_as_the_core(bad: float) -> None:
    x = _rand((2, 2, 6, 6), 1)
    x[0, 1, 2, 3] = bad
    core, fast = Pooling(2, 2), TrainPooling(2, 2)
    (oc, dc), (of, df) = _both(core, fast, x)
    np.testing.assert_array_equal(of, oc)
    np.testing.assert_array_equal(df, dc)
    y = _rand((2, 2, 6, 6), 1)
    core.forward(y)
    fast.forward(y)
    dout = _rand((2, 2, 3, 3), 2)
    dout[1, 0, 1, 1] = bad
    np.testing.assert_array_equal(fast.backward(dout), core.backward(dout))


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_relu_equals_core_with_nan_and_inf() -> None:
    x = _rand((2, 3, 4, 5), 1)
    x[0, 0, 0, :3] = [np.nan, 0.0, -0.0]
    core, fast = Relu(), TrainRelu()
    (oc, dc), (of, df) = _both(core, fast, x)
    np.testing.assert_array_equal(of, oc)
    np.testing.assert_array_equal(df, dc)
    dout = _rand(x.shape, 2)
    dout[1, 2, 3, 4], dout[0, 0, 0, 1] = np.inf, np.nan  # x > 0 there? either way: as core
    np.testing.assert_array_equal(fast.backward(dout), core.backward(dout))
    y = _distinct((2, 3, 4))
    y[np.abs(y) < 0.03] = 0.5  # clear of the kink by more than the numerical step
    check_layer(TrainRelu(), y)


def test_training_layers_swap_in_the_variants_sharing_weights() -> None:
    net = build("slide4-cnn", seed=0)
    layers = training_layers(net._make_layers())
    kinds = [type(layer).__name__ for layer in layers]
    assert kinds[:4] == ["TrainConvolution", "TrainRelu", "TrainPooling", "TrainConvolution"]
    assert kinds[-4:] == ["Affine", "TrainRelu", "Affine", "Softmax"]
    assert [layer.input_grad for layer in layers if isinstance(layer, Convolution)] == \
        [False, True, True]
    assert layers[0].W is net.params["conv1.W"]


def _core_gradient(net, x: np.ndarray, t: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
    """Network.gradient through the core layers (as before the training variants)."""
    layers = net._make_layers()
    out = x
    for layer in layers[:-1]:
        out = layer.forward(out)
    loss = net.loss_layer.forward(out, t)
    dout = net.loss_layer.backward(1.0)
    for layer in reversed(layers[:-1]):
        dout = layer.backward(dout)
    names = [s["name"] for s in net.specs]
    return loss, {k: getattr(layers[names.index(k.split(".")[0])], "d" + k.split(".")[1])
                  for k in net.params}


@pytest.mark.parametrize("model", ["simple-convnet", "slide4-cnn", "color-vgg"])
def test_network_gradient_equals_the_core_layers(model: str) -> None:
    net = build(model, seed=0)
    rng = np.random.default_rng(0)
    x = rng.random((6, *net.input_shape), dtype=np.float32)
    t = rng.integers(0, 10, 6)
    loss, grads = net.gradient(x, t)
    want_loss, want = _core_gradient(net, x, t)
    assert loss == pytest.approx(want_loss, rel=1e-6)
    for k, g in want.items():
        scale = max(1e-3, float(np.abs(g).max()))
        assert float(np.abs(grads[k] - g).max()) <= 1e-4 * scale, k


def test_network_gradient_equals_torch_autograd() -> None:
    torch = pytest.importorskip("torch")
    net = build("simple-convnet", seed=0)
    rng = np.random.default_rng(1)
    x = rng.random((8, 1, 28, 28), dtype=np.float32)
    t = rng.integers(0, 10, 8)
    loss, grads = net.gradient(x, t)
    p = {k: torch.tensor(v, requires_grad=True) for k, v in net.params.items()}
    h = torch.nn.functional.conv2d(torch.from_numpy(x), p["conv1.W"], p["conv1.b"])
    h = torch.nn.functional.max_pool2d(torch.relu(h), 2).flatten(1)
    h = torch.relu(h @ p["affine1.W"] + p["affine1.b"]) @ p["affine2.W"] + p["affine2.b"]
    ref = torch.nn.functional.cross_entropy(h, torch.from_numpy(t))
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-4)
    for k, g in grads.items():
        want = p[k].grad.numpy()
        assert float(np.abs(g - want).max()) <= 1e-4 * max(1e-3, float(np.abs(want).max())), k


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_adam_in_place_equals_the_formula_and_keeps_the_gradients(weight_decay: float) -> None:
    rng = np.random.default_rng(2)
    p = {"a.W": rng.standard_normal((3, 4)).astype(np.float32),
         "a.b": rng.standard_normal(4).astype(np.float32)}
    want = {k: v.copy() for k, v in p.items()}
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v2 = {k: np.zeros_like(v) for k, v in p.items()}
    opt = Adam(0.01, weight_decay=weight_decay)
    for step in range(1, 4):
        g = {k: rng.standard_normal(v.shape).astype(np.float32) for k, v in p.items()}
        g0 = {k: v.copy() for k, v in g.items()}
        opt.update(p, g)
        lr_t = 0.01 * np.sqrt(1 - 0.999 ** step) / (1 - 0.9 ** step)
        for k in p:  # the formula as it was written before the in-place version
            m[k] += np.float32(0.1) * (g[k] - m[k])
            v2[k] += np.float32(0.001) * (g[k] * g[k] - v2[k])
            if weight_decay and want[k].ndim > 1:
                want[k] *= np.float32(1 - 0.01 * weight_decay)
            want[k] -= np.float32(lr_t) * m[k] / (np.sqrt(v2[k]) + np.float32(1e-7))
            assert np.array_equal(p[k], want[k]) and np.array_equal(g[k], g0[k])
