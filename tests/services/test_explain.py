"""Explanations against an independent implementation: torch autograd on the shipped models'
own weights (saliency, Grad-CAM to 1e-4), occlusion against a loop, maximisation's pieces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.engine.network import Network
from app.imaging.stroke_digits import sample_digits
from app.models.store import load_entry
from app.services.explain.maximize import maximize, receptive_field, top_patches
from app.services.explain.methods import gradcam, occlusion, occlusion_batch, saliency, upsample
from app.services.explain.trace import scores

SHIPPED = Path(__file__).resolve().parents[2] / "app" / "models" / "shipped"
MODELS = ["simple-convnet", "slide4-cnn"]


def _net(model_id: str) -> Network:
    entry = load_entry(SHIPPED / f"{model_id}.npz")
    assert entry is not None
    return entry.network


def _torch_forward(net: Network, x, keep: str | None = None):
    """The same network in torch ops from the same weights; returns (scores, kept map)."""
    import torch
    import torch.nn.functional as F  # noqa: N812

    kept = None
    out = x
    for spec in net.specs[:-1]:
        n, kind = spec["name"], spec["type"]
        if kind == "conv":
            out = F.conv2d(out, torch.from_numpy(net.params[f"{n}.W"]),
                           torch.from_numpy(net.params[f"{n}.b"]),
                           stride=spec.get("stride", 1), padding=spec.get("pad", 0))
        elif kind == "relu":
            out = F.relu(out)
        elif kind == "pool":
            out = F.max_pool2d(out, spec["size"], spec.get("stride", spec["size"]))
        elif kind == "affine":
            out = out.reshape(out.shape[0], -1) @ torch.from_numpy(net.params[f"{n}.W"]) \
                + torch.from_numpy(net.params[f"{n}.b"])
        if n == keep:
            out.retain_grad()
            kept = out
    return out, kept


def _digit(i: int) -> np.ndarray:
    return sample_digits()[0][i:i + 1].copy()


def _jittered(i: int) -> np.ndarray:
    """The digit plus a seeded 0–0.02 noise, so no two values in a max-pool window tie: a flat
    background gives exact ties, and a tie's gradient goes to whichever max the last rounding of
    each implementation's conv picks (a valid subgradient either way; it made the comparison
    depend on the CPU and the BLAS: up to 0.12 apart on 250 pixels of slide4-cnn)."""
    x = _digit(i)
    return (x + 0.02 * np.random.default_rng(i).random(x.shape)).astype(np.float32)


@pytest.mark.parametrize("model_id", MODELS)
@pytest.mark.parametrize(("sample", "target"), [(3, None), (27, 2), (44, 9)])
def test_saliency_equals_torch_autograd(model_id: str, sample: int, target: int | None) -> None:
    torch = pytest.importorskip("torch")
    net = _net(model_id)
    x = _jittered(sample)
    c = int(scores(net, x)[0].argmax()) if target is None else target
    got, steps, _ = saliency(net, x, c)
    xt = torch.from_numpy(x).requires_grad_(True)
    y, _ = _torch_forward(net, xt)
    y[0, c].backward()
    want = xt.grad.numpy()[0, 0]
    assert got.shape == (28, 28)
    np.testing.assert_allclose(got, np.abs(want), atol=1e-4, rtol=0)
    np.testing.assert_allclose(np.asarray(steps[1]["values"]), want, atol=1e-4, rtol=0)
    assert steps[0]["values"] == pytest.approx(y[0, c].item(), abs=1e-4)
    assert np.abs(want).max() > 1e-3  # a real gradient, not all zeros


@pytest.mark.parametrize(("model_id", "layer"), [("simple-convnet", "conv1"),
                                                 ("slide4-cnn", "conv1"), ("slide4-cnn", "conv3")])
def test_gradcam_alpha_and_map_equal_torch(model_id: str, layer: str) -> None:
    torch = pytest.importorskip("torch")
    net = _net(model_id)
    x = _jittered(17)
    c = int(scores(net, x)[0].argmax())
    cam, steps, extra = gradcam(net, x, c, layer)
    y, A = _torch_forward(net, torch.from_numpy(x).requires_grad_(True), keep=layer)
    y[0, c].backward()
    alpha = A.grad[0].mean(dim=(1, 2))
    want = torch.relu((alpha[:, None, None] * A[0]).sum(0)).detach().numpy()
    by = {s["name"]: s["values"] for s in steps}
    np.testing.assert_allclose(np.asarray(by["alpha"]), alpha.numpy(), atol=1e-4, rtol=0)
    np.testing.assert_allclose(cam, want, atol=1e-4, rtol=0)
    np.testing.assert_allclose(np.asarray(by["terms"]).sum(0), by["weighted_sum"], atol=1e-5)
    assert cam.shape == tuple(A.shape[2:]) and cam.max() > 0
    overlay = np.asarray(extra["overlay"])
    ref = torch.nn.functional.interpolate(torch.from_numpy(cam)[None, None], size=(28, 28),
                                          mode="bilinear", align_corners=False)[0, 0].numpy()
    np.testing.assert_allclose(overlay, ref, atol=1e-5)


def test_upsample_of_a_constant_and_identity() -> None:
    m = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_array_equal(upsample(m, 3, 4), m)
    assert np.allclose(upsample(np.full((2, 2), 3, np.float32), 5, 7), 3)


@pytest.mark.parametrize(("size", "stride"), [(7, 3), (5, 5), (28, 1), (1, 9)])
def test_occlusion_equals_a_loop_of_single_forwards(size: int, stride: int) -> None:
    net = _net("slide4-cnn")
    x = _digit(8)
    c = 1
    drop, steps, extra = occlusion(net, x, c, size, stride, 0.5)
    oh, ow = (28 - size) // stride + 1, (28 - size) // stride + 1
    assert drop.shape == (oh, ow) and extra["positions"] == oh * ow
    base = float(net.predict(x)[0].argmax() >= 0) and float(scores(net, x)[0, c])
    for i in range(oh):
        for j in range(ow):
            xo = x.copy()
            xo[0, 0, i * stride:i * stride + size, j * stride:j * stride + size] = 0.5
            assert drop[i, j] == pytest.approx(base - float(scores(net, xo)[0, c]), abs=1e-4)


def test_occlusion_batch_puts_one_patch_per_copy() -> None:
    x = np.zeros((1, 1, 6, 6), np.float32)
    batch, oh, ow = occlusion_batch(x, 2, 2, 1.0)
    assert (oh, ow) == (3, 3) and batch.shape == (9, 1, 6, 6)
    assert batch.sum(axis=(1, 2, 3)).tolist() == [4.0] * 9
    assert batch[4, 0, 2:4, 2:4].tolist() == [[1, 1], [1, 1]]


def test_receptive_fields_of_the_shipped_layers() -> None:
    assert receptive_field(_net("simple-convnet"), "conv1") == (5, 1, 0)
    slide4 = _net("slide4-cnn")
    sizes = {s["name"]: (s.get("size"), s.get("pad", 0)) for s in slide4.specs}
    k1, p1 = sizes["conv1"]
    assert receptive_field(slide4, "conv1") == (k1, 1, -p1)


def test_top_patches_are_the_largest_activations_with_their_input() -> None:
    net = _net("simple-convnet")
    patches = top_patches(net, "conv1", 4)
    x, labels = sample_digits()
    W, b = net.params["conv1.W"][4, 0], net.params["conv1.b"][4]
    acts = [p["activation"] for p in patches]
    assert len(patches) == 9 and acts == sorted(acts, reverse=True)
    for p in patches:  # conv1 has no padding: the patch is the window itself
        r, c, size = p["box"]
        window = x[p["sample"], 0, r:r + size, c:c + size]
        np.testing.assert_array_equal(np.asarray(p["patch"]), window)
        assert p["activation"] == pytest.approx(float((window * W).sum() + b), abs=1e-4)
        assert p["label"] == labels[p["sample"]]


def test_maximize_raises_the_filter_and_is_deterministic() -> None:
    net = _net("simple-convnet")
    img, steps, extra = maximize(net, "conv1", 3, steps=30, lr=0.05, l2=1e-3, jitter=1,
                                 blur_every=4)
    again = maximize(net, "conv1", 3, steps=30, lr=0.05, l2=1e-3, jitter=1, blur_every=4)[0]
    np.testing.assert_array_equal(img, again)
    history = steps[0]["values"]
    assert img.shape == (28, 28) and img.min() >= 0 and img.max() <= 1
    assert history[-1] > history[0] + 0.1
    assert extra["index"] == 3 and len(extra["patches"]) == 9
