"""Element-wise and dense ops: relu, affine, softmax. float32 in and out."""

from __future__ import annotations

import numpy as np

from .geometry import f32


def relu(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """max(0, x), element-wise. `out` (float32, x's shape) reuses a buffer instead of a new one;
    x itself is never modified unless it is passed as `out`."""
    return np.maximum(f32(x), np.float32(0), out=out)


def affine(x: np.ndarray, W: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """x (N, ...) flattened to (N, D) · W (D, M) + b (M,) → (N, M)."""
    x = f32(x)
    out = x.reshape(x.shape[0], -1) @ f32(W)
    if b is not None:
        out += f32(b)
    return out


def softmax(x: np.ndarray) -> np.ndarray:
    """exp(x − max) / Σ exp(x − max) over the last axis."""
    x = f32(x)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e
