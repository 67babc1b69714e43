"""Convolution in bands of output rows, so the im2col matrix stays small (≈ BAND_VALUES floats).

The engine's conv2d builds the whole im2col matrix (N·OH·OW, C·FH·FW) at once; for a 1-MP RGB
image and a 9×9 kernel that is 243 M floats. Here the input is padded once and conv2d runs on
horizontal slices: output rows [r0, r1) need padded rows [r0·S, (r1 − 1)·S + FH_eff).
"""

from __future__ import annotations

import numpy as np

from app.engine import Geometry, conv2d, pad2d

BAND_VALUES = 4 * 1024 * 1024  # im2col floats per band (16 MiB)


def row_working(N: int, C: int, FH: int, FW: int, out_w: int) -> int:
    """im2col values for one output row of the batch: N·OW·C·FH·FW (the smallest band)."""
    return N * out_w * C * FH * FW


def banded_conv2d(x: np.ndarray, W: np.ndarray, b: np.ndarray | None, g: Geometry,
                  pad_mode: str = "zeros", band_values: int = BAND_VALUES) -> np.ndarray:
    """x (N, C, H, W) ⊛ W (FN, C, FH, FW) + b → (N, FN, OH, OW), same result as conv2d."""
    N, C = x.shape[:2]
    FN, _, FH, FW = W.shape
    rows = max(1, band_values // max(1, row_working(N, C, FH, FW, g.out_w)))
    if rows >= g.out_h:
        return conv2d(x, W, b, stride=g.stride, pad=g.pad, pad_mode=pad_mode, dilation=g.dilation)
    xp = pad2d(x, g.pad, pad_mode)
    sh, fh_eff = g.stride[0], g.dilation[0] * (FH - 1) + 1
    out = np.empty((N, FN, g.out_h, g.out_w), dtype=np.float32)
    for r0 in range(0, g.out_h, rows):
        r1 = min(g.out_h, r0 + rows)
        band = xp[:, :, r0 * sh:(r1 - 1) * sh + fh_eff]
        out[:, :, r0:r1] = conv2d(band, W, b, stride=g.stride, pad=0, dilation=g.dilation)
    return out
