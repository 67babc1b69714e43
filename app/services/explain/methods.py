"""Saliency, Grad-CAM and occlusion for one input x (1, C, H, W) and a class `target`.

Every function returns (map, steps, extra): map as an array, steps as a list of
{"name", "formula", "values"} with the intermediate numbers, extra as more response fields.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .trace import Trace, onehot, scores, trace

Step = dict[str, Any]
Result = tuple[np.ndarray, list[Step], dict[str, Any]]


def step(name: str, formula: str, values: Any) -> Step:
    """One intermediate result (arrays stay arrays until the response is built)."""
    return {"name": name, "formula": formula, "values": values}


def _squeeze(m: np.ndarray) -> np.ndarray:
    """(C, H, W) → (H, W) when C = 1."""
    return m[0] if m.shape[0] == 1 else m


def saliency(net: Any, x: np.ndarray, target: int, t: Trace | None = None) -> Result:
    """|∂y_c/∂x| through the layers' own backward: map (H, W) or (C, H, W). `t`: x's trace."""
    t = t or trace(net, x)
    y = t.outs[-1]
    grad = t.backward(onehot(1, y.shape[1], target))[0]
    assert grad is not None
    g = _squeeze(grad[0])
    return np.abs(g), [step("score", "y_c", float(y[0, target])),
                       step("gradient", "∂y_c/∂x", g),
                       step("saliency", "|∂y_c/∂x|", np.abs(g))], {}


def upsample(m: np.ndarray, H: int, W: int) -> np.ndarray:
    """Bilinear resize of m (h, w) to (H, W), pixel centres aligned (align_corners=False)."""
    h, w = m.shape

    def axis(n_out: int, n_in: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        p = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        i0 = np.floor(p).astype(int)
        i1 = np.minimum(i0 + 1, n_in - 1)
        return i0, i1, (p - i0).astype(np.float32)

    r0, r1, fr = axis(H, h)
    c0, c1, fc = axis(W, w)
    top = m[r0][:, c0] * (1 - fc) + m[r0][:, c1] * fc
    bottom = m[r1][:, c0] * (1 - fc) + m[r1][:, c1] * fc
    out: np.ndarray = (top * (1 - fr[:, None]) + bottom * fr[:, None]).astype(np.float32)
    return out


def gradcam(net: Any, x: np.ndarray, target: int, layer: str,
            t: Trace | None = None, channels: int | None = None) -> Result:
    """α_k = mean_ij ∂y_c/∂A^k_ij for conv layer `layer`'s output A (K, h, w);
    map = ReLU(Σ_k α_k A^k) at the layer's resolution; overlay upsampled to the input.
    `channels` = n: A^k and α_k·A^k only for the n largest |α_k| (the sum uses all K)."""
    t = t or trace(net, x)
    y = t.outs[-1]
    k = t.index(layer)
    dA = t.backward(onehot(1, y.shape[1], target))[k]
    assert dA is not None
    A = t.outs[k][0]
    alpha = dA[0].mean(axis=(1, 2))
    terms = alpha[:, None, None] * A
    total = terms.sum(axis=0)
    cam = np.maximum(total, np.float32(0))
    overlay = upsample(cam, x.shape[2], x.shape[3])
    ks = np.arange(len(alpha)) if channels is None else \
        np.argsort(-np.abs(alpha), kind="stable")[:channels]
    which = "" if len(ks) == len(alpha) else f", k ∈ {{{', '.join(str(int(k)) for k in ks)}}}"
    steps = [step("score", "y_c", float(y[0, target])),
             step("alpha", "α_k = (1/(h·w)) Σ_ij ∂y_c/∂A^k_ij", alpha),
             step("activations", "A^k" + which, A[ks]),
             step("terms", "α_k·A^k" + which, terms[ks]),
             step("weighted_sum", "Σ_k α_k·A^k", total),
             step("relu", "ReLU(Σ_k α_k·A^k)", cam)]
    return cam, steps, {"layer": layer, "overlay": overlay.tolist(),
                        "channels": [int(k) for k in ks]}


def occlusion_batch(x: np.ndarray, size: int, stride: int,
                    fill: float) -> tuple[np.ndarray, int, int]:
    """x (1, C, H, W) → (P, C, H, W) copies, copy p with a size×size patch of `fill` at
    position p (row-major over OH×OW = ((H − size)//stride + 1, (W − size)//stride + 1))."""
    _, C, H, W = x.shape
    oh, ow = (H - size) // stride + 1, (W - size) // stride + 1
    batch = np.repeat(x, oh * ow, axis=0)
    view = batch.reshape(oh, ow, C, H, W)
    for i in range(oh):
        for j in range(ow):
            view[i, j, :, i * stride:i * stride + size, j * stride:j * stride + size] = fill
    return batch, oh, ow


def occlusion(net: Any, x: np.ndarray, target: int, size: int, stride: int,
              fill: float) -> Result:
    """drop[i, j] = y_c(x) − y_c(x with the patch at (i·S, j·S)), all patches one batch."""
    batch, oh, ow = occlusion_batch(x, size, stride, fill)
    base = float(scores(net, x)[0, target])
    occluded = scores(net, batch)[:, target].reshape(oh, ow)
    drop = np.float32(base) - occluded
    return drop, [step("score", "y_c(x)", base),
                  step("occluded_scores", "y_c(x with patch at i, j)", occluded),
                  step("drop", "y_c(x) − y_c(x occluded)", drop)], {
        "patch": size, "stride": stride, "fill": fill, "positions": oh * ow}
