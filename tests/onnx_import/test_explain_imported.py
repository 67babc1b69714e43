"""Explanations of imported ONNX models: every imported op's backward is the adjoint of its
forward (⟨dout, f(x)⟩ = ⟨backward(dout), x⟩ for these linear / piecewise-linear maps); through
the API every method answers (maximize with its top-9 sample patches), and saliency and Grad-CAM
equal torch autograd on torch-exported models."""

from __future__ import annotations

import io
import warnings
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.models.onnx_import.layers import AffineOp, ConvOp, PoolOp, ReshapeOp, TransposeOp
from tests.onnx_import.fixtures import lenet5

RNG = np.random.default_rng(0)


def _adjoint(op: Any, shape: tuple[int, ...]) -> None:
    x = RNG.standard_normal(shape).astype(np.float32)
    y = op.forward(x)
    dout = RNG.standard_normal(y.shape).astype(np.float32)
    dx = op.backward(dout)
    assert dx.shape == x.shape
    lhs, rhs = float((dout.astype(np.float64) * y).sum()), float((dx.astype(np.float64) * x).sum())
    assert lhs == pytest.approx(rhs, rel=1e-4, abs=1e-4)


@pytest.mark.parametrize(("cin", "cout", "group", "stride", "pads", "dilation"), [
    (3, 4, 1, (1, 1), (1, 1, 1, 1), (1, 1)),
    (3, 4, 1, (2, 2), (0, 1, 2, 0), (1, 1)),     # asymmetric pads (auto_pad SAME_UPPER-like)
    (4, 4, 4, (1, 1), (1, 1, 1, 1), (1, 1)),     # depthwise
    (4, 6, 2, (2, 1), (1, 0, 1, 0), (2, 2)),     # grouped and dilated
])
def test_conv_backward_is_the_adjoint(cin: int, cout: int, group: int, stride: tuple[int, int],
                                      pads: tuple[int, int, int, int],
                                      dilation: tuple[int, int]) -> None:
    W = RNG.standard_normal((cout, cin // group, 3, 3)).astype(np.float32)
    op = ConvOp(W, np.zeros(cout, np.float32), stride, pads, dilation, group)
    _adjoint(op, (2, cin, 9, 8))


@pytest.mark.parametrize(("mode", "pads", "extra", "count_pad"), [
    ("max", (0, 0, 0, 0), (0, 0), False), ("max", (1, 1, 1, 1), (0, 0), False),
    ("max", (0, 0, 0, 0), (1, 1), False),  # ceil_mode: the last windows reach past the input
    ("avg", (0, 0, 0, 0), (0, 0), False), ("avg", (1, 0, 1, 0), (0, 1), False),
    ("avg", (1, 1, 1, 1), (0, 0), True)])
def test_pool_backward_is_the_adjoint(mode: str, pads: tuple[int, int, int, int],
                                      extra: tuple[int, int], count_pad: bool) -> None:
    _adjoint(PoolOp(mode, (2, 3), (2, 2), pads, extra, count_pad), (2, 3, 7, 8))


def test_affine_reshape_transpose_backward_are_adjoints() -> None:
    _adjoint(AffineOp(RNG.standard_normal((24, 5)).astype(np.float32), np.zeros(5, np.float32)),
             (3, 2, 3, 4))
    _adjoint(ReshapeOp((6, 4)), (3, 2, 3, 4))
    _adjoint(TransposeOp((0, 2, 3, 1)), (3, 2, 3, 4))


@pytest.fixture(scope="module")
def client() -> Any:
    with TestClient(create_app()) as c:
        yield c


def _import(client: TestClient, data: bytes) -> str:
    r = client.post("/api/models", files={"file": ("m.onnx", data)})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_every_method_on_an_imported_model(client: Any) -> None:
    model = _import(client, lenet5().SerializeToString())
    x = RNG.random((28, 28)).tolist()
    url = f"/api/models/{model}/explain"
    s = client.post(url, json={"input": x, "method": "saliency"})
    assert s.status_code == 200, s.text
    assert s.json()["shape"] == [28, 28] and s.json()["model"] == model
    g = client.post(url, json={"input": x, "method": "gradcam", "layer": "conv1"})
    assert g.status_code == 200 and g.json()["shape"] == [28, 28]
    o = client.post(url, json={"input": x, "method": "occlusion", "patch": 7, "stride": 7})
    assert o.status_code == 200 and o.json()["shape"] == [4, 4]
    m = client.post(url, json={"input": x, "method": "maximize", "layer": "conv1", "index": 2,
                               "steps": 10})
    assert m.status_code == 200, m.text
    body = m.json()
    assert body["shape"] == [28, 28] and body["index"] == 2
    # conv1 is 5×5 with pad 2: each patch is the 5×5 window of a sample digit
    assert len(body["patches"]) == 9 and np.asarray(body["patches"][0]["patch"]).shape == (5, 5)
    acts = [p["activation"] for p in body["patches"]]
    assert acts == sorted(acts, reverse=True)


def test_saliency_and_gradcam_equal_torch_autograd(client: Any) -> None:
    torch = pytest.importorskip("torch")
    from tests.onnx_import.test_torch_export import _trained_looking, separable, vgg64

    for net, shape in ((_trained_looking(vgg64(), 4), (3, 64, 64)),
                       (separable().eval(), (3, 32, 32))):
        buf = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(net, torch.rand(1, *shape), buf, input_names=["x"],
                              output_names=["scores"], opset_version=17, dynamo=False)
        x = RNG.random(shape, dtype=np.float32)
        xt = torch.from_numpy(x[None]).requires_grad_(True)
        model = _import(client, buf.getvalue())
        detail = client.get(f"/api/models/{model}").json()
        folded = "batchnorm" not in [layer["type"] for layer in detail["layers"]]
        acts: list[Any] = []
        mods = list(net)
        i = max(k for k, m in enumerate(mods) if isinstance(m, torch.nn.Conv2d))
        if folded and isinstance(mods[i + 1], torch.nn.BatchNorm2d):
            i += 1  # the exporter folded BN into the conv: A^k is the BN's output
        hook = mods[i].register_forward_hook(lambda m, inp, o, acts=acts: acts.append(o))
        # explanations use the scores before a final LogSoftmax
        scores = net[:-1](xt) if isinstance(net[-1], torch.nn.LogSoftmax) else net(xt)
        hook.remove()
        c = int(scores.argmax())
        grad_x, grad_a = torch.autograd.grad(scores[0, c], [xt, acts[0]])
        last_conv = detail["conv_layers"][-1]
        r = client.post(f"/api/models/{model}/explain", json={"input": x.tolist(),
                                                              "method": "saliency"}).json()
        assert r["target"] == c
        want = np.abs(grad_x[0].numpy())
        np.testing.assert_allclose(r["map"], want, atol=1e-4 * (1 + want.max()))
        g = client.post(f"/api/models/{model}/explain", json={
            "input": x.tolist(), "method": "gradcam", "layer": last_conv}).json()
        alpha = grad_a[0].mean(dim=(1, 2)).numpy()
        got = next(s["values"] for s in g["steps"] if s["name"] == "alpha")
        np.testing.assert_allclose(got, alpha, atol=1e-4 * (1 + np.abs(alpha).max()))
        cam = torch.relu((grad_a[0].mean(dim=(1, 2))[:, None, None] * acts[0][0].detach())
                         .sum(0)).numpy()
        np.testing.assert_allclose(g["map"], cam, atol=1e-4 * (1 + cam.max()))
