"""Layer classes with the book's API: forward(x) / backward(dout), gradients in dW / db.

Names as in "Deep Learning from Scratch" common/layers.py; arguments are never modified in place.
"""

from __future__ import annotations

import numpy as np

from .activations import softmax
from .geometry import Pair, conv_geometry, f32, pad2d, pair
from .util import col2im, im2col


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


class Softmax:
    """y = softmax(x) over the last axis (the last layer when predicting)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return softmax(x)


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
    """The book's convolution layer: x (N, C, H, W) ⊛ W (FN, C, FH, FW) + b (FN,)
    → (N, FN, out_h, out_w) as one product out = im2col(x) · col_W + b.

    forward keeps x, col and col_W for backward (training); self.W / self.b are read at every
    call, so they may be replaced or updated in place between calls.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, stride: Pair = 1, pad: Pair = 0) -> None:
        self.W = np.asarray(W, np.float32)
        self.b = np.asarray(b, np.float32)
        self.stride = pair(stride)
        self.pad = pair(pad)
        self.x: np.ndarray | None = None
        self.col: np.ndarray | None = None
        self.col_W: np.ndarray | None = None
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = f32(x)
        FN, C, FH, FW = self.W.shape
        if x.ndim != 4 or x.shape[1] != C:
            raise ValueError(f"Convolution expects (N, {C}, H, W), not {x.shape}")
        N = x.shape[0]
        g = conv_geometry(x.shape[2], x.shape[3], FH, FW, stride=self.stride, pad=self.pad)
        col = im2col(x, FH, FW, self.stride, self.pad)  # (N·out_h·out_w, C·FH·FW)
        col_W = f32(self.W).reshape(FN, -1).T  # (C·FH·FW, FN)
        out = col @ col_W + f32(self.b)
        out = out.reshape(N, g.out_h, g.out_w, -1).transpose(0, 3, 1, 2)
        self.x, self.col, self.col_W = x, col, col_W
        return np.ascontiguousarray(out)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dW = colᵀ · dout, db = Σ dout, dx = col2im(dout · col_Wᵀ)."""
        assert self.x is not None and self.col is not None and self.col_W is not None, \
            "forward before backward"
        FN, C, FH, FW = self.W.shape
        dout = f32(dout).transpose(0, 2, 3, 1).reshape(-1, FN)
        self.db = dout.sum(axis=0)
        self.dW = (self.col.T @ dout).transpose(1, 0).reshape(FN, C, FH, FW)
        dcol = dout @ self.col_W.T
        return col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)


class Pooling:
    """The book's pooling layer: each pool_h×pool_w window is one row of im2col; max (the
    book's, with arg_max for backward) or avg. Stride defaults to the window; padding counts
    as −∞ for max, 0 for avg."""

    def __init__(self, pool_h: int = 2, pool_w: int = 2, stride: Pair | None = None,
                 pad: Pair = 0, mode: str = "max") -> None:
        if mode not in ("max", "avg"):
            raise ValueError(f"mode must be 'max' or 'avg', not {mode!r}")
        self.pool_h, self.pool_w, self.mode = pool_h, pool_w, mode
        self.stride = pair(stride if stride is not None else (pool_h, pool_w))
        self.pad = pair(pad)
        self.x: np.ndarray | None = None
        self.arg_max: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = f32(x)
        N, C = x.shape[:2]
        g = conv_geometry(x.shape[2], x.shape[3], self.pool_h, self.pool_w, stride=self.stride,
                          pad=self.pad)
        img = pad2d(x, self.pad, value=-np.inf if self.mode == "max" else 0.0)
        col = im2col(img, self.pool_h, self.pool_w, self.stride)
        col = col.reshape(-1, self.pool_h * self.pool_w)  # one window per row
        if self.mode == "max":
            self.arg_max = np.argmax(col, axis=1)
            out = np.take_along_axis(col, self.arg_max[:, None], axis=1)  # = max, 2× faster
        else:
            out = col.mean(axis=1, dtype=np.float32)
        self.x = x
        return np.ascontiguousarray(out.reshape(N, g.out_h, g.out_w, C).transpose(0, 3, 1, 2))

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """max: dout goes to the arg_max of each window (the first maximum); avg: dout / size
        to every cell of the window. col2im adds up overlapping windows."""
        assert self.x is not None, "forward before backward"
        dout = f32(dout).transpose(0, 2, 3, 1)
        pool_size = self.pool_h * self.pool_w
        if self.mode == "max":
            assert self.arg_max is not None
            dmax = np.zeros((dout.size, pool_size), np.float32)  # the book's
            # dmax[np.arange(arg_max.size), arg_max.flatten()] = dout.flatten(), 2.7× faster:
            np.put_along_axis(dmax, self.arg_max[:, None], dout.reshape(-1, 1), axis=1)
        else:
            dmax = np.repeat(dout.reshape(-1, 1) / np.float32(pool_size), pool_size, axis=1)
        dcol = dmax.reshape(dout.shape[0] * dout.shape[1] * dout.shape[2], -1)
        N, C, H, W = self.x.shape
        ph, pw = self.pad
        dx = col2im(dcol, (N, C, H + 2 * ph, W + 2 * pw), self.pool_h, self.pool_w, self.stride)
        return np.ascontiguousarray(dx[:, :, ph:ph + H, pw:pw + W])
