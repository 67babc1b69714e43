"""The book's common/util.py: im2col and col2im (section 7.4), NCHW float32.

`im2col` lays every window out as one row of `col`, so that a convolution becomes one matrix
product (col · col_W); `col2im` is its transpose, a scatter-add back into the image.
"""

from __future__ import annotations

import numpy as np

from .geometry import Geometry, Pair, conv_geometry, f32, pad2d


def windows_to_col(img: np.ndarray, g: Geometry, out_h: int) -> np.ndarray:
    """Already padded img (N, C, ·, ·) → col (N·out_h·out_w, C·FH·FW) for out_h output rows
    from the top of img (the book's loop over the FH×FW filter taps)."""
    N, C = img.shape[:2]
    (sh, sw), (dh, dw), out_w = g.stride, g.dilation, g.out_w
    col = np.empty((N, C, g.FH, g.FW, out_h, out_w), np.float32)
    for y in range(g.FH):
        y0 = y * dh
        y_max = y0 + sh * (out_h - 1) + 1
        for x in range(g.FW):
            x0 = x * dw
            x_max = x0 + sw * (out_w - 1) + 1
            col[:, :, y, x, :, :] = img[:, :, y0:y_max:sh, x0:x_max:sw]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)


def im2col(x: np.ndarray, FH: int, FW: int, stride: Pair = 1, pad: Pair = 0,
           dilation: Pair = 1, pad_mode: str = "zeros") -> np.ndarray:
    """(N, C, H, W) → col (N·out_h·out_w, C·FH·FW), one row per output position."""
    x = f32(x)
    g = conv_geometry(x.shape[2], x.shape[3], FH, FW, stride=stride, pad=pad, dilation=dilation)
    return windows_to_col(pad2d(x, g.pad, pad_mode), g, g.out_h)


def col2im(col: np.ndarray, input_shape: tuple[int, int, int, int], FH: int, FW: int,
           stride: Pair = 1, pad: Pair = 0, dilation: Pair = 1) -> np.ndarray:
    """Scatter-add of col (N·out_h·out_w, C·FH·FW) into an image (N, C, H, W) (adjoint of
    im2col: windows that overlap add up, padding is cut off)."""
    N, C, H, W = input_shape
    g = conv_geometry(H, W, FH, FW, stride=stride, pad=pad, dilation=dilation)
    (sh, sw), (ph, pw), (dh, dw) = g.stride, g.pad, g.dilation
    out_h, out_w = g.out_h, g.out_w
    col = f32(col).reshape(N, out_h, out_w, C, FH, FW).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((N, C, H + 2 * ph, W + 2 * pw), np.float32)
    for y in range(FH):
        y0 = y * dh
        y_max = y0 + sh * (out_h - 1) + 1
        for x in range(FW):
            x0 = x * dw
            x_max = x0 + sw * (out_w - 1) + 1
            img[:, :, y0:y_max:sh, x0:x_max:sw] += col[:, :, y, x, :, :]
    return img[:, :, ph:H + ph, pw:W + pw]
