"""More layers with the book's API (forward(x) / backward(dout)), beside layers.py:
Sigmoid, Tanh, LeakyRelu, Clip (ReLU6), BatchNorm (inference statistics), GlobalAvgPool, Pad,
SoftmaxLayer, LogSoftmax, Flatten. float32, NCHW; arguments are never modified in place.
Imported ONNX models (app/models/onnx_import/ops.py) build their steps from them; their naive
oracles are in reference.py.
"""

from __future__ import annotations

import numpy as np

from app.engine.activations import softmax
from app.engine.geometry import f32


class Sigmoid:
    """y = 1 / (1 + exp(−x)); dx = dout · y · (1 − y)."""

    def __init__(self) -> None:
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = f32(x)
        e = np.exp(-np.abs(x))  # stable for both signs
        self.out = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(np.float32)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.out is not None, "forward before backward"
        return f32(dout) * self.out * (np.float32(1) - self.out)


class Tanh:
    """y = tanh(x); dx = dout · (1 − y²)."""

    def __init__(self) -> None:
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.tanh(f32(x))
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.out is not None, "forward before backward"
        return f32(dout) * (np.float32(1) - self.out * self.out)


class LeakyRelu:
    """y = x where x > 0, else alpha·x; dx = dout or alpha·dout."""

    def __init__(self, alpha: float = 0.01) -> None:
        self.alpha = np.float32(alpha)
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = f32(x)
        self.mask = x > 0
        return np.where(self.mask, x, x * self.alpha)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.mask is not None, "forward before backward"
        dout = f32(dout)
        return np.where(self.mask, dout, dout * self.alpha)


class Clip:
    """y = min(max(x, lo), hi) (ReLU6: lo 0, hi 6); dx = dout where lo < x < hi."""

    def __init__(self, lo: float = -np.inf, hi: float = np.inf) -> None:
        self.lo, self.hi = np.float32(lo), np.float32(hi)
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = f32(x)
        self.mask = (x > self.lo) & (x < self.hi)
        return np.clip(x, self.lo, self.hi).astype(np.float32)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.mask is not None, "forward before backward"
        return np.where(self.mask, f32(dout), np.float32(0))


class BatchNorm:
    """Inference batch normalisation per channel c of (N, C, H, W) or (N, C):
    y = gamma·(x − mean) / sqrt(var + eps) + beta (the stored statistics, not the batch's).
    backward: dx = dout·gamma / sqrt(var + eps), dgamma = Σ dout·x̂, dbeta = Σ dout."""

    def __init__(self, gamma: np.ndarray, beta: np.ndarray, mean: np.ndarray, var: np.ndarray,
                 eps: float = 1e-5) -> None:
        self.gamma, self.beta = np.asarray(gamma, np.float32), np.asarray(beta, np.float32)
        self.mean, self.var = np.asarray(mean, np.float32), np.asarray(var, np.float32)
        self.eps = float(eps)
        self.xhat: np.ndarray | None = None
        self.dgamma = np.zeros_like(self.gamma)
        self.dbeta = np.zeros_like(self.beta)

    def _c(self, v: np.ndarray, ndim: int) -> np.ndarray:
        return v.reshape((1, -1) + (1,) * (ndim - 2))

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = f32(x)
        inv = (1.0 / np.sqrt(self.var.astype(np.float64) + self.eps)).astype(np.float32)
        self.xhat = (x - self._c(self.mean, x.ndim)) * self._c(inv, x.ndim)
        return self.xhat * self._c(self.gamma, x.ndim) + self._c(self.beta, x.ndim)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.xhat is not None, "forward before backward"
        dout = f32(dout)
        axes = (0, *range(2, dout.ndim))
        self.dgamma = (dout * self.xhat).sum(axis=axes, dtype=np.float32)
        self.dbeta = dout.sum(axis=axes, dtype=np.float32)
        inv = (1.0 / np.sqrt(self.var.astype(np.float64) + self.eps)).astype(np.float32)
        return dout * self._c(self.gamma * inv, dout.ndim)


class GlobalAvgPool:
    """(N, C, H, W) → (N, C, 1, 1), the mean of each map; dx = dout / (H·W) everywhere."""

    def __init__(self) -> None:
        self.shape: tuple[int, ...] = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = f32(x)
        self.shape = x.shape
        return x.mean(axis=(2, 3), keepdims=True, dtype=np.float32)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        H, W = self.shape[2:]
        return np.broadcast_to(f32(dout) / np.float32(H * W), self.shape).copy()


class Pad:
    """Constant padding of (N, C, H, W): pads (top, left, bottom, right) with value;
    dx = dout without the border."""

    def __init__(self, pads: tuple[int, int, int, int], value: float = 0.0) -> None:
        self.pads, self.value = tuple(int(p) for p in pads), float(value)

    def forward(self, x: np.ndarray) -> np.ndarray:
        t, l, b, r = self.pads
        return np.pad(f32(x), [(0, 0), (0, 0), (t, b), (l, r)], constant_values=self.value)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        t, l, b, r = self.pads
        H, W = dout.shape[2] - t - b, dout.shape[3] - l - r
        return np.ascontiguousarray(f32(dout)[:, :, t:t + H, l:l + W])


class SoftmaxLayer:
    """y = softmax(x) over the last axis; dx = y · (dout − Σ dout·y)."""

    def __init__(self) -> None:
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = softmax(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.out is not None, "forward before backward"
        dout = f32(dout)
        return self.out * (dout - (dout * self.out).sum(axis=-1, keepdims=True))


class LogSoftmax:
    """y = x − max − log Σ exp(x − max) over the last axis; dx = dout − softmax(x)·Σ dout."""

    def __init__(self) -> None:
        self.soft: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = f32(x)
        z = x - x.max(axis=-1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=-1, keepdims=True))
        self.soft = softmax(x)
        return (z - lse).astype(np.float32)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.soft is not None, "forward before backward"
        dout = f32(dout)
        return dout - self.soft * dout.sum(axis=-1, keepdims=True)


class Flatten:
    """(N, ...) → (N, D); backward reshapes back."""

    def __init__(self) -> None:
        self.shape: tuple[int, ...] = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.shape = x.shape
        return f32(x).reshape(x.shape[0], -1)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return f32(dout).reshape(self.shape)
