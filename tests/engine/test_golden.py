"""The worked examples of the slides (../shared/seed/SUMMARY.md), numbers copied from the seed."""

import numpy as np
import pytest

from app.engine import Convolution, Pooling, conv2d, conv_geometry, max_pool2d
from app.engine.reference import conv2d_naive, max_pool2d_naive

FILTER = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]], dtype=np.float32)
X4 = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]], dtype=np.float32)
# Slide 9: rows continue the sequence 1, 2, 3, 0, 1, 2, 3, 0, ...
X7 = np.array([[[1, 2, 3, 0][(r * 7 + c) % 4] for c in range(7)] for r in range(7)], np.float32)

CONVS = [  # (input, stride, pad, bias, expected): slides 7, 7 with bias, 8, 9
    (X4, 1, 0, None, [[15, 16], [6, 15]]),
    (X4, 1, 0, 3.0, [[18, 19], [9, 18]]),
    (X4, 1, 1, None, [[7, 12, 10, 2], [4, 15, 16, 10], [10, 6, 15, 6], [8, 10, 4, 3]]),
    (X7, 2, 0, None, [[15, 17, 15], [17, 15, 17], [15, 17, 15]]),
]


def test_slide9_input_is_the_sequence() -> None:
    assert X7[0].tolist() == [1, 2, 3, 0, 1, 2, 3]
    assert X7[1].tolist() == [0, 1, 2, 3, 0, 1, 2]


@pytest.mark.parametrize(("x", "stride", "pad", "bias", "expected"), CONVS)
def test_conv_worked_examples(x, stride, pad, bias, expected) -> None:
    b = None if bias is None else np.array([bias], np.float32)
    args = (x[None, None], FILTER[None, None], b)
    for fn in (conv2d, conv2d_naive):
        out = fn(*args, stride=stride, pad=pad)
        assert out.dtype == np.float32
        assert out[0, 0].tolist() == expected
    layer = Convolution(FILTER[None, None], np.array([bias or 0.0], np.float32), stride, pad)
    assert layer.forward(x[None, None])[0, 0].tolist() == expected


def test_slide10_formula_with_numbers() -> None:
    g = conv_geometry(7, 7, 3, 3, stride=2, pad=0)
    assert (g.out_h, g.out_w, g.exact) == (3, 3, True)
    assert g.formula_h == "OH = (H + 2P − FH) / S + 1 = (7 + 2·0 − 3) / 2 + 1 = 3"
    assert g.formula_w == "OW = (W + 2P − FW) / S + 1 = (7 + 2·0 − 3) / 2 + 1 = 3"


def test_slide15_max_pooling() -> None:
    x = np.array([[1, 2, 1, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 4, 0, 1]], np.float32)[None, None]
    expected = [[2, 3], [4, 2]]
    assert max_pool2d(x, 2, 2)[0, 0].tolist() == expected
    assert max_pool2d_naive(x, 2, 2)[0, 0].tolist() == expected
    assert Pooling(2, 2, 2).forward(x)[0, 0].tolist() == expected
