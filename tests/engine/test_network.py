"""Network: shapes per architecture, save/load round trip, stages, gradients vs numerical ones."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import Network, NetworkError, build
from app.engine.functional import conv2d, max_pool2d, relu, softmax

TINY = [
    {"name": "conv1", "type": "conv", "filters": 2, "size": 3, "stride": 1, "pad": 1},
    {"name": "relu1", "type": "relu"},
    {"name": "pool1", "type": "pool", "size": 2, "stride": 2},
    {"name": "affine1", "type": "affine", "units": 5},
    {"name": "relu2", "type": "relu"},
    {"name": "affine2", "type": "affine", "units": 3},
    {"name": "softmax", "type": "softmax"},
]


def tiny(seed: int = 0) -> Network:
    return Network("tiny", "Tiny", (1, 6, 6), TINY, seed=seed)


def test_simple_convnet_matches_the_book() -> None:
    net = build("simple-convnet")
    rows = {r["name"]: r for r in net.describe()}
    assert rows["input"]["output_shape"] == [1, 28, 28]
    assert rows["conv1"]["output_shape"] == [30, 24, 24] and rows["conv1"]["params"] == 30 * 25 + 30
    assert rows["pool1"]["output_shape"] == [30, 12, 12]
    assert rows["affine1"]["params"] == 4320 * 100 + 100
    assert rows["affine2"]["output_shape"] == [10]
    assert net.param_count() == 780 + 432100 + 1010
    assert net.conv_layer_names() == ["conv1"]
    assert net.conv_weights("conv1").shape == (30, 1, 5, 5)


def test_slide4_cnn_has_the_slide_structure() -> None:
    net = build("slide4-cnn")
    kinds = [r["type"] for r in net.describe()]
    assert kinds == ["input", "conv", "relu", "pool", "conv", "relu", "pool", "conv", "relu",
                     "affine", "relu", "affine", "softmax"]
    assert net.conv_layer_names() == ["conv1", "conv2", "conv3"]


def test_forward_stages_agree_with_functional_ops() -> None:
    net = build("simple-convnet", seed=3)
    x = np.random.default_rng(1).random((2, 1, 28, 28), dtype=np.float32)
    stages = net.forward_stages(x)
    assert [s.name for s in stages] == ["input", "conv1", "relu1", "pool1", "affine1", "relu2",
                                        "affine2", "softmax"]
    assert stages[0].kind == "input" and stages[-1].kind == "softmax"
    p = net.params
    conv = conv2d(x, p["conv1.W"], p["conv1.b"])
    np.testing.assert_allclose(stages[1].data, conv, rtol=1e-5, atol=1e-5)
    pooled = max_pool2d(relu(conv), 2)
    np.testing.assert_allclose(stages[3].data, pooled, rtol=1e-5, atol=1e-5)
    h = relu(pooled.reshape(2, -1) @ p["affine1.W"] + p["affine1.b"])
    probs = softmax(h @ p["affine2.W"] + p["affine2.b"])
    np.testing.assert_allclose(stages[-1].data, probs, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(net.predict(x), probs, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(stages[-1].data.sum(axis=1), 1.0, rtol=1e-5)


def test_single_image_is_a_batch_of_one() -> None:
    net = build("simple-convnet")
    img = np.zeros((28, 28), np.float32)
    img[10:18, 12:15] = 1
    stages = net.forward_stages(img)
    assert stages[0].data.shape == (1, 1, 28, 28)
    assert stages[-1].data.shape == (1, 10)
    np.testing.assert_array_equal(net.predict(img[None]), net.predict(img[None, None]))
    with pytest.raises(NetworkError, match="expected"):
        net.predict(np.zeros((1, 1, 27, 28), np.float32))


def test_save_load_round_trip(tmp_path) -> None:
    net = build("slide4-cnn", seed=5)
    net.meta = {"validation_accuracy": 0.99}
    path = tmp_path / "m.npz"
    net.save(path)
    with np.load(path, allow_pickle=False) as z:  # no object arrays inside
        assert all(z[k].dtype != object for k in z.files)
        assert z["conv2.W"].dtype == np.float32
    back = Network.load(path)
    assert (back.id, back.name, back.input_shape) == (net.id, net.name, (1, 28, 28))
    assert back.meta == {"validation_accuracy": 0.99}
    assert back.describe() == net.describe()
    x = np.random.default_rng(0).random((3, 1, 28, 28), dtype=np.float32)
    np.testing.assert_array_equal(back.predict(x), net.predict(x))


def test_load_refuses_non_models(tmp_path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(NetworkError, match="not a readable"):
        Network.load(bad)
    plain = tmp_path / "plain.npz"
    np.savez(plain, a=np.zeros(3))
    with pytest.raises(NetworkError, match="__architecture__"):
        Network.load(plain)


def test_wrong_weight_shape_is_refused() -> None:
    params = dict(build("simple-convnet").params)
    params["affine1.W"] = np.zeros((4320, 99), np.float32)
    with pytest.raises(NetworkError, match="affine1.W"):
        Network("x", "x", (1, 28, 28), build("simple-convnet").specs, params)


def test_unknown_layer_and_conv_name() -> None:
    with pytest.raises(NetworkError, match="unknown model"):
        build("resnet")
    with pytest.raises(KeyError, match="conv9"):
        build("simple-convnet").conv_weights("conv9")


def test_gradients_match_numerical_ones() -> None:
    net = tiny(seed=2)
    rng = np.random.default_rng(7)
    x = rng.random((4, 1, 6, 6), dtype=np.float32)
    t = np.array([0, 1, 2, 1])
    _, grads = net.gradient(x, t)
    grads = {k: v.copy() for k, v in grads.items()}
    eps = 1e-3
    for key, p in net.params.items():
        flat = p.reshape(-1)
        for i in rng.choice(flat.size, size=min(6, flat.size), replace=False):
            old = flat[i]
            flat[i] = old + eps
            up = net.loss(x, t)
            flat[i] = old - eps
            down = net.loss(x, t)
            flat[i] = old
            numeric = (up - down) / (2 * eps)
            assert grads[key].reshape(-1)[i] == pytest.approx(numeric, rel=2e-2, abs=1e-3), key
