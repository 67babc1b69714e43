"""Naive loop oracles for the imported models' layers (app/models/onnx_import/nn_layers.py),
kept with the tests: the engine core's size budget (test_size_budget.py) has no room for them."""

from __future__ import annotations

import numpy as np


def sigmoid_naive(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^−x), value by value in float64."""
    import math
    flat = [1.0 / (1.0 + math.exp(-v)) if v > -700 else 0.0 for v in np.asarray(x, float).flat]
    return np.array(flat).reshape(np.shape(x)).astype(np.float32)


def tanh_naive(x: np.ndarray) -> np.ndarray:
    """(e^x − e^−x) / (e^x + e^−x), value by value (math.tanh)."""
    import math
    return np.array([math.tanh(v) for v in np.asarray(x, float).flat]).reshape(
        np.shape(x)).astype(np.float32)


def leaky_relu_naive(x: np.ndarray, alpha: float) -> np.ndarray:
    """x where x > 0 else alpha·x."""
    return np.array([v if v > 0 else alpha * v for v in np.asarray(x, float).flat]).reshape(
        np.shape(x)).astype(np.float32)


def batch_norm_naive(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, mean: np.ndarray,
                     var: np.ndarray, eps: float) -> np.ndarray:
    """y[n, c, ...] = gamma[c]·(x − mean[c]) / sqrt(var[c] + eps) + beta[c], one value at a time."""
    x64 = np.asarray(x, np.float64)
    out = np.zeros_like(x64)
    for idx in np.ndindex(x64.shape):
        c = idx[1]
        out[idx] = gamma[c] * (x64[idx] - mean[c]) / np.sqrt(float(var[c]) + eps) + beta[c]
    return out.astype(np.float32)


def global_avg_pool_naive(x: np.ndarray) -> np.ndarray:
    """(N, C, H, W) → (N, C, 1, 1): Σ over the map / (H·W)."""
    x64 = np.asarray(x, np.float64)
    N, C, H, W = x64.shape
    out = np.zeros((N, C, 1, 1))
    for n in range(N):
        for c in range(C):
            out[n, c, 0, 0] = sum(x64[n, c, i, j] for i in range(H) for j in range(W)) / (H * W)
    return out.astype(np.float32)


def log_softmax_naive(x: np.ndarray) -> np.ndarray:
    """log(e^x_i / Σ_j e^x_j) per row of (N, M), in float64."""
    x64 = np.asarray(x, np.float64)
    out = np.zeros_like(x64)
    for n in range(x64.shape[0]):
        m = max(x64[n])
        s = sum(np.exp(v - m) for v in x64[n])
        out[n] = [v - m - np.log(s) for v in x64[n]]
    return out.astype(np.float32)
