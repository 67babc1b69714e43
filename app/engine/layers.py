"""Layer classes with the book's API: forward(x) / backward(dout), gradients in dW / db.

Names as in "Deep Learning from Scratch" common/layers.py; arguments are never modified in place.
"""

from __future__ import annotations

import numpy as np

from .activations import softmax
from .columns import conv2d_gemm, conv2d_gemm_backward
from .geometry import Geometry, Pair, conv_geometry, f32, pair
from .pool import avg_pool2d, max_pool2d, pool2d_backward, pool_geometry


class Relu:
    """y = max(0, x); dx = dout where x > 0."""

    def __init__(self) -> None:
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = f32(x)
        self.mask = x <= 0
        return np.maximum(x, np.float32(0))

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.mask is not None, "forward before backward"
        return np.where(self.mask, np.float32(0), f32(dout))


class Affine:
    """y = x·W + b with x (N, ...) flattened to (N, D), W (D, M), b (M,)."""

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W = np.asarray(W, np.float32)
        self.b = np.asarray(b, np.float32)
        self.x: np.ndarray | None = None
        self.original_x_shape: tuple[int, ...] = ()
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.original_x_shape = x.shape
        self.x = f32(x).reshape(x.shape[0], -1)
        return self.x @ f32(self.W) + f32(self.b)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.x is not None, "forward before backward"
        dout = f32(dout)
        dx = dout @ f32(self.W).T
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dx.reshape(self.original_x_shape)


class SoftmaxWithLoss:
    """Softmax then cross-entropy: loss = −Σ t·log y / N; dx = (y − t) / N."""

    def __init__(self) -> None:
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None
        self.loss: float | None = None

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        self.y = softmax(x)
        N = x.shape[0]
        self.t = t if t.ndim == 1 else t.argmax(axis=1)
        self.loss = float(-np.log(self.y[np.arange(N), self.t] + 1e-7).mean())
        return self.loss

    def backward(self, dout: float = 1.0) -> np.ndarray:
        assert self.y is not None and self.t is not None
        N = self.y.shape[0]
        dx = self.y.copy()
        dx[np.arange(N), self.t] -= 1
        return (dx * np.float32(dout / N)).astype(np.float32)


class Convolution:
    """x (N, C, H, W) ⊛ W (FN, C, FH, FW) + b (FN,) → (N, FN, out_h, out_w).

    Forward and backward run the cache-blocked im2col of columns.py (the book's algorithm, a
    block at a time); self.W / self.b are read at every call, so they may be replaced.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, stride: Pair = 1, pad: Pair = 0) -> None:
        self.W = np.asarray(W, np.float32)
        self.b = np.asarray(b, np.float32)
        self.stride = pair(stride)
        self.pad = pair(pad)
        self.x: np.ndarray | None = None
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)

    def _geometry(self, x: np.ndarray) -> Geometry:
        FN, C, FH, FW = self.W.shape
        if x.ndim != 4 or x.shape[1] != C:
            raise ValueError(f"Convolution expects (N, {C}, H, W), not {x.shape}")
        return conv_geometry(x.shape[2], x.shape[3], FH, FW, stride=self.stride, pad=self.pad)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = f32(x)
        g = self._geometry(x)
        self.x = x
        return conv2d_gemm(x, f32(self.W), f32(self.b), g)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.x is not None, "forward before backward"
        W = f32(self.W)
        dx, self.dW, self.db = conv2d_gemm_backward(self.x, W, f32(dout), self._geometry(self.x))
        return dx


class Pooling:
    """Max or average pooling of each pool_h×pool_w window; stride defaults to the window."""

    def __init__(self, pool_h: int = 2, pool_w: int = 2, stride: Pair | None = None,
                 pad: Pair = 0, mode: str = "max") -> None:
        if mode not in ("max", "avg"):
            raise ValueError(f"mode must be 'max' or 'avg', not {mode!r}")
        self.pool_h, self.pool_w, self.mode = pool_h, pool_w, mode
        self.stride = pair(stride if stride is not None else (pool_h, pool_w))
        self.pad = pair(pad)
        self.x: np.ndarray | None = None
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = f32(x)
        pool = max_pool2d if self.mode == "max" else avg_pool2d
        self.out = pool(self.x, (self.pool_h, self.pool_w), self.stride, self.pad)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.x is not None and self.out is not None, "forward before backward"
        g = pool_geometry(self.x, (self.pool_h, self.pool_w), self.stride, self.pad)
        return pool2d_backward(self.x, self.out, f32(dout), g, self.mode)
