"""Layer classes with the book's API: forward(x) / backward(dout), gradients in dW / db.

Names as in "Deep Learning from Scratch" common/layers.py; arguments are never modified in place.
"""

from __future__ import annotations

import numpy as np

from .functional import Pair, col2im, conv_geometry, im2col, pair, softmax


class Relu:
    """y = max(0, x); dx = dout where x > 0."""

    def __init__(self) -> None:
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x <= 0
        return np.where(self.mask, np.float32(0), x).astype(np.float32, copy=False)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.mask is not None
        return np.where(self.mask, np.float32(0), dout).astype(np.float32, copy=False)


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
        self.x = np.asarray(x, np.float32).reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.x is not None
        dx = dout @ self.W.T
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
    """x (N, C, H, W) ⊛ W (FN, C, FH, FW) + b (FN,) → (N, FN, out_h, out_w), via im2col."""

    def __init__(self, W: np.ndarray, b: np.ndarray, stride: Pair = 1, pad: Pair = 0) -> None:
        self.W = np.asarray(W, np.float32)
        self.b = np.asarray(b, np.float32)
        self.stride = pair(stride)
        self.pad = pair(pad)
        self.x_shape: tuple[int, int, int, int] | None = None
        self.col: np.ndarray | None = None
        self.col_W: np.ndarray | None = None
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)

    def forward(self, x: np.ndarray) -> np.ndarray:
        FN, C, FH, FW = self.W.shape
        N, _, H, W = x.shape
        g = conv_geometry(H, W, FH, FW, stride=self.stride, pad=self.pad)
        self.x_shape = (N, C, H, W)
        self.col = im2col(x, FH, FW, self.stride, self.pad)
        self.col_W = self.W.reshape(FN, -1).T
        out = self.col @ self.col_W + self.b
        return out.reshape(N, g.out_h, g.out_w, FN).transpose(0, 3, 1, 2)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.col is not None and self.col_W is not None and self.x_shape is not None
        FN, C, FH, FW = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)
        self.db = dout.sum(axis=0)
        self.dW = (self.col.T @ dout).T.reshape(FN, C, FH, FW)
        dcol = dout @ self.col_W.T
        return col2im(dcol, self.x_shape, FH, FW, self.stride, self.pad)


class Pooling:
    """Max or average pooling of each pool_h×pool_w window; stride defaults to the window."""

    def __init__(self, pool_h: int = 2, pool_w: int = 2, stride: Pair | None = None,
                 pad: Pair = 0, mode: str = "max") -> None:
        if mode not in ("max", "avg"):
            raise ValueError(f"mode must be 'max' or 'avg', not {mode!r}")
        self.pool_h, self.pool_w, self.mode = pool_h, pool_w, mode
        self.stride = pair(stride if stride is not None else (pool_h, pool_w))
        self.pad = pair(pad)
        self.x_shape: tuple[int, int, int, int] | None = None
        self.arg_max: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        N, C, H, W = x.shape
        g = conv_geometry(H, W, self.pool_h, self.pool_w, stride=self.stride, pad=self.pad)
        self.x_shape = (N, C, H, W)
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)
        if self.mode == "max":
            self.arg_max = col.argmax(axis=1)
            out = col.max(axis=1)
        else:
            out = col.mean(axis=1)
        return out.reshape(N, g.out_h, g.out_w, C).transpose(0, 3, 1, 2)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.x_shape is not None
        size = self.pool_h * self.pool_w
        d = dout.transpose(0, 2, 3, 1).reshape(-1)
        dcol = np.zeros((d.size, size), dtype=np.float32)
        if self.mode == "max":
            assert self.arg_max is not None
            dcol[np.arange(d.size), self.arg_max] = d
        else:
            dcol[:] = (d / size)[:, None]
        C = self.x_shape[1]
        dcol = dcol.reshape(-1, C * size)
        return col2im(dcol, self.x_shape, self.pool_h, self.pool_w, self.stride, self.pad)
