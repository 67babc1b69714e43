"""Naive loop versions of the engine's ops: the test oracle.

Written for obviousness, not speed: one output value per loop iteration, summed in float64,
returned as float32. They share no code with the fast versions (padding via np.pad directly).
"""

from __future__ import annotations

import math

import numpy as np

Pair = int | tuple[int, int]
_NP_MODES = {"zeros": "constant", "edge": "edge", "reflect": "reflect"}


def _pair(v: Pair) -> tuple[int, int]:
    if isinstance(v, (int, np.integer)):
        return int(v), int(v)
    return int(v[0]), int(v[1])


def _pad(x: np.ndarray, ph: int, pw: int, mode: str, fill: float = 0.0) -> np.ndarray:
    widths = [(0, 0), (0, 0), (ph, ph), (pw, pw)]
    if mode == "zeros":
        return np.pad(x, widths, mode="constant", constant_values=fill)
    return np.pad(x, widths, mode=_NP_MODES[mode])  # type: ignore[call-overload]


def _out(n: int, f: int, s: int, p: int, d: int) -> int:
    return (n + 2 * p - d * (f - 1) - 1) // s + 1


def conv2d_naive(x: np.ndarray, W: np.ndarray, b: np.ndarray | float | None = None, *,
                 stride: Pair = 1, pad: Pair = 0, pad_mode: str = "zeros",
                 dilation: Pair = 1) -> np.ndarray:
    """out[n, f, i, j] = Σ_c,u,v xp[n, c, i·S + u·D, j·S + v·D] · W[f, c, u, v] + b[f]."""
    x64, W64 = np.asarray(x, np.float64), np.asarray(W, np.float64)
    N, C, H, Wd = x64.shape
    FN, _, FH, FW = W64.shape
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(pad), _pair(dilation)
    xp = _pad(x64, ph, pw, pad_mode)
    OH, OW = _out(H, FH, sh, ph, dh), _out(Wd, FW, sw, pw, dw)
    bias = np.zeros(FN) if b is None else np.broadcast_to(np.asarray(b, np.float64), (FN,))
    out = np.zeros((N, FN, OH, OW))
    for n in range(N):
        for f in range(FN):
            for i in range(OH):
                for j in range(OW):
                    acc = 0.0
                    for c in range(C):
                        for u in range(FH):
                            for v in range(FW):
                                acc += xp[n, c, i * sh + u * dh, j * sw + v * dw] * W64[f, c, u, v]
                    out[n, f, i, j] = acc + bias[f]
    return out.astype(np.float32)


def depthwise_conv2d_naive(x: np.ndarray, K: np.ndarray, b: np.ndarray | float | None = None, *,
                           stride: Pair = 1, pad: Pair = 0, pad_mode: str = "zeros",
                           dilation: Pair = 1) -> np.ndarray:
    """Each channel c filtered by K (FH, FW) or K[c] (C, FH, FW), plus b[c]: (N, C, OH, OW)."""
    x = np.asarray(x)
    C = x.shape[1]
    K = np.asarray(K, np.float64)
    Ks = np.broadcast_to(K, (C, *K.shape[-2:]))
    bias = np.zeros(C) if b is None else np.broadcast_to(np.asarray(b, np.float64), (C,))
    maps = [conv2d_naive(x[:, c:c + 1], Ks[c][None, None], bias[c:c + 1], stride=stride, pad=pad,
                         pad_mode=pad_mode, dilation=dilation) for c in range(C)]
    return np.concatenate(maps, axis=1)


def _pool_naive(x: np.ndarray, size: Pair, stride: Pair | None, pad: Pair, op: str) -> np.ndarray:
    x64 = np.asarray(x, np.float64)
    N, C, H, W = x64.shape
    kh, kw = _pair(size)
    sh, sw = _pair(stride) if stride is not None else (kh, kw)
    ph, pw = _pair(pad)
    xp = _pad(x64, ph, pw, "zeros", -np.inf if op == "max" else 0.0)
    OH, OW = _out(H, kh, sh, ph, 1), _out(W, kw, sw, pw, 1)
    out = np.zeros((N, C, OH, OW))
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    vals = [xp[n, c, i * sh + u, j * sw + v] for u in range(kh) for v in range(kw)]
                    out[n, c, i, j] = max(vals) if op == "max" else sum(vals) / (kh * kw)
    return out.astype(np.float32)


def max_pool2d_naive(x: np.ndarray, size: Pair = 2, stride: Pair | None = None,
                     pad: Pair = 0) -> np.ndarray:
    """Max of each size×size window (padding counts as −∞); stride defaults to size."""
    return _pool_naive(x, size, stride, pad, "max")


def avg_pool2d_naive(x: np.ndarray, size: Pair = 2, stride: Pair | None = None,
                     pad: Pair = 0) -> np.ndarray:
    """Mean of each size×size window (zero padding counted in the mean); stride defaults to size."""
    return _pool_naive(x, size, stride, pad, "avg")


# The more_layers.py oracles (activations, inference batch norm, global pooling).
def sigmoid_naive(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^−x), value by value in float64."""
    flat = [1.0 / (1.0 + math.exp(-v)) if v > -700 else 0.0 for v in np.asarray(x, float).flat]
    return np.array(flat).reshape(np.shape(x)).astype(np.float32)


def tanh_naive(x: np.ndarray) -> np.ndarray:
    """(e^x − e^−x) / (e^x + e^−x), value by value (math.tanh)."""
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


def clip_naive(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """lo where x < lo, hi where x > hi, else x (ReLU6: lo 0, hi 6)."""
    return np.array([lo if v < lo else hi if v > hi else v for v in np.asarray(x, float).flat]
                    ).reshape(np.shape(x)).astype(np.float32)


def softmax_naive(x: np.ndarray) -> np.ndarray:
    """e^(x_i − max) / Σ_j e^(x_j − max) per row of (N, M), in float64."""
    return np.exp(log_softmax_naive(np.asarray(x, np.float64))).astype(np.float32)
