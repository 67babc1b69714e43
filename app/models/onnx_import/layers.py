"""The engine-backed layer objects of imported ONNX steps (the maths is the engine's: conv2d /
depthwise_conv2d, max_pool2d / avg_pool2d, the more_layers classes). `backward(dout)` gives
∂L/∂x only (the explanations need no weight gradients), with the book's col2im.

Each ONNX node becomes one of these, built fresh per call (no state shared between threads).
"""

from __future__ import annotations

import numpy as np

from app.engine.functional import avg_pool2d, conv2d, depthwise_conv2d, f32, max_pool2d
from app.engine.util import col2im, im2col

Pads = tuple[int, int, int, int]  # top, left, bottom, right


def _pad(x: np.ndarray, pads: Pads, value: float) -> np.ndarray:
    t, l, b, r = pads
    if not any(pads):
        return x
    return np.pad(x, [(0, 0), (0, 0), (t, b), (l, r)], constant_values=value)


class ConvOp:
    """ONNX Conv: x (N, C, H, W) ⊛ W (FN, C/group, FH, FW) + b (FN,), pads (t, l, b, r),
    stride, dilation, group (1, depthwise C, or any divisor of C)."""

    def __init__(self, W: np.ndarray, b: np.ndarray, stride: tuple[int, int], pads: Pads,
                 dilation: tuple[int, int], group: int) -> None:
        self.W, self.b, self.stride, self.pads = W, b, stride, pads
        self.dilation, self.group = dilation, group

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x_shape = x.shape
        t, l, b, r = self.pads
        pad: tuple[int, int] = (t, l)
        if (t, l) != (b, r):
            x, pad = _pad(f32(x), self.pads, 0.0), (0, 0)
        s, d = self.stride, self.dilation
        FN, Cg = self.W.shape[:2]
        if self.group == 1:
            return conv2d(x, self.W, self.b, stride=s, pad=pad, dilation=d)
        if Cg == 1 and FN == self.group == x.shape[1]:
            return depthwise_conv2d(x, self.W[:, 0], self.b, stride=s, pad=pad, dilation=d)
        fg = FN // self.group
        parts = [conv2d(x[:, g * Cg:(g + 1) * Cg], self.W[g * fg:(g + 1) * fg],
                        self.b[g * fg:(g + 1) * fg], stride=s, pad=pad, dilation=d)
                 for g in range(self.group)]
        return np.concatenate(parts, axis=1)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dx (N, C, H, W): per group g, dcol = dout_g · W_g (rows n, oh, ow), col2im onto the
        padded input, pads cropped."""
        N, C, H, W = self.x_shape
        t, l, b, r = self.pads
        FN, Cg, FH, FW = self.W.shape
        fg, Hp, Wp = FN // self.group, H + t + b, W + l + r
        d = f32(dout).transpose(0, 2, 3, 1).reshape(-1, FN)
        dx = np.empty((N, C, Hp, Wp), np.float32)
        for g in range(self.group):
            dcol = d[:, g * fg:(g + 1) * fg] @ self.W[g * fg:(g + 1) * fg].reshape(fg, -1)
            dx[:, g * Cg:(g + 1) * Cg] = col2im(dcol, (N, Cg, Hp, Wp), FH, FW,
                                                stride=self.stride, dilation=self.dilation)
        return dx[:, :, t:t + H, l:l + W]


class PoolOp:
    """ONNX MaxPool / AveragePool: window (kh, kw), stride, pads (t, l, b, r) plus `extra`
    bottom/right cells for ceil_mode; avg divides by the cells counted (pads counted only with
    count_include_pad, ceil_mode's extra cells never)."""

    def __init__(self, mode: str, kernel: tuple[int, int], stride: tuple[int, int], pads: Pads,
                 extra: tuple[int, int], count_pad: bool) -> None:
        self.mode, self.kernel, self.stride, self.pads = mode, kernel, stride, pads
        self.extra, self.count_pad = extra, count_pad

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = self.x = f32(x)
        t, l, b, r = self.pads
        full = (t, l, b + self.extra[0], r + self.extra[1])
        if self.mode == "max":
            return max_pool2d(_pad(x, full, -np.inf), self.kernel, self.stride)
        xp = _pad(x, full, 0.0)
        ones = np.ones((1, 1, *x.shape[2:]), np.float32)
        mask = _pad(ones, (t, l, b, r), 1.0 if self.count_pad else 0.0)
        mask = _pad(mask, (0, 0, self.extra[0], self.extra[1]), 0.0)
        cells = self.kernel[0] * self.kernel[1]
        if mask.all():
            self.counted: np.ndarray | float = float(cells)
            return avg_pool2d(xp, self.kernel, self.stride)
        count = avg_pool2d(mask, self.kernel, self.stride)
        self.counted = count[0, 0] * cells  # cells counted per window (OH, OW)
        y: np.ndarray = avg_pool2d(xp, self.kernel, self.stride) / count
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dx: max sends dout to each window's arg max, average spreads dout / (cells counted)
        over the window (col2im onto the padded input, pads cropped)."""
        N, C, H, W = self.x.shape
        t, l, b, r = self.pads
        full = (t, l, b + self.extra[0], r + self.extra[1])
        Hp, Wp = H + full[0] + full[2], W + full[1] + full[3]
        kh, kw = self.kernel
        d = f32(dout)
        if self.mode == "max":
            xp = _pad(self.x, full, -np.inf).reshape(N * C, 1, Hp, Wp)
            col = im2col(xp, kh, kw, stride=self.stride)
            dcol = np.zeros_like(col)
            dcol[np.arange(len(col)), col.argmax(axis=1)] = d.reshape(-1)
        else:
            dcol = np.repeat((d / self.counted).reshape(-1, 1), kh * kw, axis=1)
        dx = col2im(dcol, (N * C, 1, Hp, Wp), kh, kw, stride=self.stride)
        return dx.reshape(N, C, Hp, Wp)[:, :, t:t + H, l:l + W]


class AffineOp:
    """x (N, D) · W (D, M) + b (M,) (Gemm with alpha/beta/transB folded in, or MatMul + Add)."""

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W, self.b = W, b

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x_shape = x.shape
        y: np.ndarray = f32(x).reshape(x.shape[0], -1) @ self.W + self.b
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dx = dout · Wᵀ, in x's shape."""
        dx: np.ndarray = (f32(dout) @ self.W.T).reshape(self.x_shape)
        return dx


class ReshapeOp:
    """(N, ...) → (N, *shape)."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x_shape = x.shape
        y: np.ndarray = f32(x).reshape(x.shape[0], *self.shape)
        return y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout.reshape(self.x_shape)


class TransposeOp:
    """Axes permuted by perm (perm[0] = 0: the batch axis stays first)."""

    def __init__(self, perm: tuple[int, ...]) -> None:
        self.perm = perm

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(f32(x).transpose(self.perm))

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(dout.transpose(np.argsort(self.perm)))
