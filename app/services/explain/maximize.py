"""Activation maximisation of one filter, and beside it the top-9 dataset patches.

Gradient ascent on the input x of  J(x) = A^k_centre(x) − λ·‖x‖²  (A^k the filter's map at its
conv layer, the cell at its centre: Distill's "neuron" objective, whose receptive field is
comparable with the patches; the mean over the map of a first layer is maximised by a flat
image), with the usual regularisers: a random jitter (roll by ≤ `jitter` pixels) before each
step, a 3×3 blur every `blur_every` steps, x kept in [0, 1]. Deterministic (seed 0).
The patches: the receptive fields in sample images where A^k is largest (Distill's lesson):
ConvScope's sample digits for a one-channel model, its synthetic colour pictures for a
three-channel one, resized to the model's input when its size differs. Works for a Network and
for an imported ONNX model (its steps' kernel, stride and pads give the receptive field).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.engine import depthwise_conv2d, get_kernel
from app.engine.network import Network
from app.imaging.fit import resize_chw
from app.imaging.stroke_digits import sample_digits
from app.models.datasets import synthetic

from .methods import Result, step
from .trace import chain, trace

SAMPLE_SEED = 20261205  # the colour pictures the patches come from (not the training seed)


def _windows(net: Any) -> list[tuple[str, int, int, int, int]]:
    """(name, kernel, stride, pad, dilation) of every layer along the rows (1, 1, 0, 1: none)."""
    if isinstance(net, Network):
        out = []
        for spec in net.specs:
            k = int(spec.get("size", 1)) if spec["type"] in ("conv", "pool") else 1
            s = int(spec.get("stride", 1 if spec["type"] == "conv" else k))
            out.append((spec["name"], k, s if spec["type"] in ("conv", "pool") else 1,
                        int(spec.get("pad", 0)), 1))
        return out
    return [(st.name, int(st.info["kernel"][0]), int(st.info["stride"][0]),
             int(st.info["pads"][0]), int(st.info.get("dilation", [1])[0]))
            if st.kind in ("conv", "pool") else (st.name, 1, 1, 0, 1) for st in net.steps]


def receptive_field(net: Any, layer: str) -> tuple[int, int, int]:
    """(size, jump, offset) of one output cell of `layer` in the input: cell (i, j) sees input
    rows offset + i·jump … + size − 1 (and the same for columns)."""
    size, jump, offset = 1, 1, 0
    for name, k, s, p, d in _windows(net):
        offset -= p * jump
        size += (k - 1) * d * jump
        jump *= s
        if name == layer:
            break
    return size, jump, offset


def samples_for(shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Sample images (n, C, H, W) in [0, 1] and labels for a model's input: the 50 sample
    digits (C = 1) or 50 synthetic colour pictures (C = 3), resized to (H, W); none otherwise."""
    C, H, W = shape
    if C == 1:
        x, labels = sample_digits()
    elif C == 3:
        x, labels = synthetic.generate(50, SAMPLE_SEED)
    else:
        return np.zeros((0, C, H, W), np.float32), np.zeros(0, np.int64)
    if x.shape[2:] != (H, W):
        x = np.stack([resize_chw(im, H, W) for im in x])
    return np.ascontiguousarray(x, np.float32), labels


def top_patches(net: Any, layer: str, index: int, k: int = 9) -> list[dict[str, Any]]:
    """The k cells of filter `index` at `layer` with the largest activation over the sample
    images (one per image at most), with the input patch each cell sees (zeros outside)."""
    x, labels = samples_for(tuple(net.input_shape))
    if not len(x):
        return []
    t = trace(net, x, stop=chain(net)[0].index(layer) + 1)
    maps = t.outs[-1][:, index]  # (n, h, w)
    n, h, w = maps.shape
    best = maps.reshape(n, -1).argmax(axis=1)
    act = maps.reshape(n, -1)[np.arange(n), best]
    size, jump, offset = receptive_field(net, layer)
    H, W = x.shape[2:]
    out = []
    for img in np.argsort(-act, kind="stable")[:k]:
        i, j = divmod(int(best[img]), w)
        r0, c0 = offset + i * jump, offset + j * jump
        patch = np.zeros((x.shape[1], size, size), np.float32)
        rs, cs = slice(max(r0, 0), min(r0 + size, H)), slice(max(c0, 0), min(c0 + size, W))
        patch[:, rs.start - r0:rs.stop - r0, cs.start - c0:cs.stop - c0] = x[img, :, rs, cs]
        out.append({"sample": int(img), "label": int(labels[img]), "row": i, "col": j,
                    "activation": float(act[img]), "box": [r0, c0, size],
                    "patch": (patch[0] if patch.shape[0] == 1 else patch).tolist()})
    return out


def maximize(net: Any, layer: str, index: int, *, steps: int, lr: float, l2: float,
             jitter: int, blur_every: int) -> Result:
    """x* = argmax J(x) by `steps` normalised gradient steps from gray + small noise."""
    rng = np.random.default_rng(0)
    C, H, W = net.input_shape
    x = (0.5 + 0.01 * rng.standard_normal((1, C, H, W))).astype(np.float32)
    stop = chain(net)[0].index(layer) + 1
    blur = get_kernel("gaussian", size=3, sigma=0.5)
    history = []
    for n in range(steps):
        dy, dx = (rng.integers(-jitter, jitter + 1, size=2) if jitter else (0, 0))
        xj = np.roll(x, (int(dy), int(dx)), axis=(2, 3))
        t = trace(net, xj, stop=stop)
        A = t.outs[-1]
        ci, cj = A.shape[2] // 2, A.shape[3] // 2
        dA = np.zeros_like(A)
        dA[0, index, ci, cj] = 1.0
        g = t.backward(dA)[0]
        assert g is not None
        g = np.roll(g, (-int(dy), -int(dx)), axis=(2, 3)) - 2 * l2 * x
        history.append(float(A[0, index, ci, cj]) - l2 * float((x * x).sum()))
        x = x + np.float32(lr) * g / np.float32(np.abs(g).mean() + 1e-8)
        if blur_every and (n + 1) % blur_every == 0:
            x = depthwise_conv2d(x, blur, pad=1, pad_mode="edge")
        x = np.clip(x, 0.0, 1.0).astype(np.float32)
    final = trace(net, x, stop=stop).outs[-1][0, index]
    image = x[0, 0] if C == 1 else x[0]
    return image, [step("objective", "J = A^k[centre] − λ‖x‖² per step", history),
                   step("activation", "A^k(x*)", final)], {
        "layer": layer, "index": index, "patches": top_patches(net, layer, index)}
