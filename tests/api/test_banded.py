"""Banded convolution equals the engine's conv2d for every geometry option."""

from __future__ import annotations

import numpy as np
import pytest

from app.banded import banded_conv2d
from app.engine import conv2d, conv_geometry


@pytest.mark.parametrize("stride,pad,dilation,mode", [
    (1, 0, 1, "zeros"), (1, 1, 1, "edge"), (2, 2, 1, "reflect"), ((2, 1), (1, 3), 2, "zeros"),
    (3, 1, (2, 1), "edge"),
])
def test_bands_equal_one_call(stride, pad, dilation, mode) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 17, 13)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    g = conv_geometry(17, 13, 3, 2, stride=stride, pad=pad, dilation=dilation)
    want = conv2d(x, w, b, stride=stride, pad=pad, pad_mode=mode, dilation=dilation)
    for band in (1, 200, 10**9):  # one row per band, a few rows, everything at once
        got = banded_conv2d(x, w, b, g, mode, band_values=band)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
