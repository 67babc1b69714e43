"""Faster layers for the training path (Network.scores / gradient), same API and results as
the core's (layers.py), within float32 rounding.

- TrainConvolution: im2col as one copy of a strided window view into cols (N, C·FH·FW, OH·OW),
  so out = col_W · cols is a batch of products that lands in NCHW (no transpose copies);
  dW = Σ_n dout_n · cols_nᵀ, db = Σ dout, dx = col2im(col_Wᵀ · dout) as FH·FW slice-adds into
  a padded buffer. input_grad=False skips dx (the network's first layer: nothing reads ∂L/∂x).
- TrainPooling: max pooling with stride = window and no padding as two passes over long
  strided views (row pieces, then rows; the first maximum wins, as np.argmax in the core);
  other settings, and an input holding NaN or ±∞, take the core path.
- TrainRelu: the core's mask, backward as a product with it (np.where is ~10× slower).
Tested against the core layers and the naive oracle: tests/engine/fast/test_training.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..geometry import Geometry, Pair, conv_geometry, f32, pad2d
from ..layers import Convolution, Pooling, Relu
from .gemm import windows
from .slabs import finite_block

MAX_WINDOW = 255  # window rows / columns a uint8 index can name


def col2im_slices(dcols: np.ndarray, x_shape: tuple[int, ...], g: Geometry) -> np.ndarray:
    """Adjoint of the window view: dcols (N, C·FH·FW, OH·OW) → dx (N, C, H, W), one slice-add
    per filter tap (u, v) into a zero padded buffer, the padding cut off at the end."""
    N, C, H, W = x_shape
    (sh, sw), (ph, pw) = g.stride, g.pad
    OH, OW = g.out_h, g.out_w
    d = dcols.reshape(N, C, g.FH, g.FW, OH, OW)
    img = np.zeros((N, C, H + 2 * ph, W + 2 * pw), np.float32)
    for u in range(g.FH):
        for v in range(g.FW):
            img[:, :, u:u + sh * (OH - 1) + 1:sh, v:v + sw * (OW - 1) + 1:sw] += d[:, :, u, v]
    return img[:, :, ph:ph + H, pw:pw + W] if ph or pw else img


class TrainConvolution(Convolution):
    """Convolution for training: x (N, C, H, W) ⊛ W (FN, C, FH, FW) + b → (N, FN, OH, OW)."""

    def __init__(self, W: np.ndarray, b: np.ndarray, stride: Pair = 1, pad: Pair = 0,
                 input_grad: bool = True) -> None:
        super().__init__(W, b, stride=stride, pad=pad)
        self.input_grad = input_grad
        self.cols: np.ndarray | None = None  # (N, C·FH·FW, OH·OW)
        self.g: Geometry | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = f32(x)
        FN, C, FH, FW = self.W.shape
        if x.ndim != 4 or x.shape[1] != C:
            raise ValueError(f"Convolution expects (N, {C}, H, W), not {x.shape}")
        g = conv_geometry(x.shape[2], x.shape[3], FH, FW, stride=self.stride, pad=self.pad)
        N = x.shape[0]
        cols = np.ascontiguousarray(windows(pad2d(x, g.pad), g)).reshape(N, C * FH * FW, -1)
        out = np.matmul(f32(self.W).reshape(FN, -1), cols)  # (N, FN, OH·OW)
        out += f32(self.b)[:, None]
        self.x, self.cols, self.g = x, cols, g
        return out.reshape(N, FN, g.out_h, g.out_w)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dW = Σ_n dout_n · cols_nᵀ, db = Σ dout, dx = col2im(col_Wᵀ · dout); with
        input_grad False, dx is not computed and an empty array is returned."""
        assert self.x is not None and self.cols is not None and self.g is not None, \
            "forward before backward"
        FN = self.W.shape[0]
        d = np.ascontiguousarray(f32(dout)).reshape(dout.shape[0], FN, -1)  # (N, FN, OH·OW)
        self.db = d.sum(axis=(0, 2), dtype=np.float32)
        self.dW = np.matmul(d, self.cols.transpose(0, 2, 1)).sum(axis=0).reshape(self.W.shape)
        if not self.input_grad:
            return np.empty(0, np.float32)
        dcols = np.matmul(f32(self.W).reshape(FN, -1).T, d)  # (N, C·FH·FW, OH·OW)
        return col2im_slices(dcols, self.x.shape, self.g)


class TrainPooling(Pooling):
    """Pooling for training; max pooling with stride = window, no padding and H, W multiples of
    the window in two passes of long strided views: the max of each row piece (pool_w
    neighbours), then of the pool_h row maxima (the first maximum wins, as np.argmax)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cols_arg: np.ndarray | None = None  # (N·C·H·OW,) uint8: column of each row max
        self.rows_arg: np.ndarray | None = None  # (N·C·OH, OW) uint8: row of each window max

    def fits(self, x: np.ndarray) -> bool:
        """Whether the fast path applies to x (else the core's im2col path runs)."""
        ph, pw = self.pool_h, self.pool_w
        return (self.mode == "max" and self.stride == (ph, pw) and self.pad == (0, 0)
                and min(ph, pw) >= 2 and max(ph, pw) <= MAX_WINDOW and x.ndim == 4
                and x.shape[2] % ph == 0 and x.shape[3] % pw == 0 and x.size > 0
                and finite_block(x))

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = f32(x)
        if not self.fits(x):
            self.cols_arg = self.rows_arg = None
            return super().forward(x)
        N, C, H, W = x.shape
        ph, pw = self.pool_h, self.pool_w
        row, self.cols_arg = _first_max(np.ascontiguousarray(x).reshape(-1, pw), 1)
        win, self.rows_arg = _first_max(row.reshape(N * C * (H // ph), ph, W // pw), 1)
        self.x = x
        return win.reshape(N, C, H // ph, W // pw)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout (N, C, OH, OW) to the first maximum of each window, 0 elsewhere."""
        dout = f32(dout)
        if self.cols_arg is None or self.rows_arg is None:
            return super().backward(dout)
        assert self.x is not None, "forward before backward"
        N, C, H, W = self.x.shape
        ph, pw = self.pool_h, self.pool_w
        finite = finite_block(dout)
        drow = _scatter(dout.reshape(N * C * (H // ph), W // pw), self.rows_arg, ph, finite)
        return _scatter(drow.reshape(-1), self.cols_arg, pw, finite).reshape(N, C, H, W)


def _first_max(a: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """(max, index of its first occurrence) of finite a along a short axis (length ≥ 2): a
    running np.maximum over the axis' slices; the index only grows (slice k replaces the best
    only when strictly greater), so it is max(index, k·greater) (np.where with a mask is ~10×
    slower)."""
    def part(k: int) -> np.ndarray:
        return a[(slice(None),) * axis + (k,)]

    best = np.maximum(part(0), part(1))
    arg = np.greater(part(1), part(0)).view(np.uint8)
    gt = np.empty(best.shape, bool)
    for k in range(2, a.shape[axis]):
        np.greater(part(k), best, out=gt)
        np.maximum(best, part(k), out=best)
        np.maximum(arg, gt * np.uint8(k), out=arg)
    return best, arg


def _scatter(d: np.ndarray, arg: np.ndarray, n: int, finite: bool) -> np.ndarray:
    """Adjoint of _first_max along a new axis 1 of length n: out[:, k] = d where arg == k, else
    0. d and arg (M, ...) → (M, n, ...). Products when d is finite (d·0 = 0, d − d·1 = 0),
    np.where when not (0·∞ would be NaN)."""
    out = np.empty((d.shape[0], n, *d.shape[1:]), np.float32)
    if not finite:
        for k in range(n):
            out[:, k] = np.where(arg == k, d, np.float32(0))
        return out
    if n == 2:
        np.multiply(d, arg, out=out[:, 1])
        np.subtract(d, out[:, 1], out=out[:, 0])
        return out
    for k in range(n):
        np.multiply(d, arg == k, out=out[:, k])
    return out


class TrainRelu(Relu):
    """ReLU for training: y = max(0, x); dx = dout where x > 0, else 0 (the core's mask), as a
    product with the kept mask (np.where with a mask is ~10× slower); a dout with NaN or ±∞
    takes the core's np.where (0·∞ would be NaN)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = f32(x)
        self.mask = x <= 0
        self.keep = ~self.mask  # NaN kept, as the core's np.where does
        return np.maximum(x, np.float32(0))

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout = f32(dout)
        if not finite_block(dout):
            return super().backward(dout)
        return np.multiply(dout, self.keep, dtype=np.float32)


def training_layers(layers: list[Any]) -> list[Any]:
    """The core layers of a network with the training variants put in (sharing W and b, no
    copies); the first layer, when a convolution, skips ∂L/∂x (input_grad=False)."""
    out: list[Any] = []
    for i, layer in enumerate(layers):
        if type(layer) is Convolution:
            layer = TrainConvolution(layer.W, layer.b, layer.stride, layer.pad, input_grad=i > 0)
        elif type(layer) is Pooling:
            layer = TrainPooling(layer.pool_h, layer.pool_w, layer.stride, layer.pad, layer.mode)
        elif type(layer) is Relu:
            layer = TrainRelu()
        out.append(layer)
    return out
