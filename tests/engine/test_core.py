"""The core (the book's algorithm): conv.conv2d = im2col · col_W + b, blocked, against the naive
oracle; its memory bound; the book's names on the layers; pad2d's float32 contract."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from app.engine import conv, im2col, pad2d
from app.engine.layers import Convolution, Pooling
from app.engine.reference import conv2d_naive, depthwise_conv2d_naive
from bench.common import peak_extra_bytes

from .test_functional import SETTINGS, _close, conv_case


@SETTINGS
@given(conv_case())
def test_core_conv2d_matches_oracle(case) -> None:
    x, W, b, kw = case
    before = (x.copy(), W.copy())
    _close(conv.conv2d(x, W, b, **kw), conv2d_naive(x, W, b, **kw))
    assert np.array_equal(x, before[0]) and np.array_equal(W, before[1])


@SETTINGS
@given(conv_case(depthwise=True))
def test_core_depthwise_matches_oracle(case) -> None:
    x, K, b, kw = case
    _close(conv.depthwise_conv2d(x, K, b, **kw), depthwise_conv2d_naive(x, K, b, **kw))


@pytest.mark.parametrize("block", [1, 500, 1 << 20])
def test_core_blocks_over_rows_and_images(monkeypatch, block: int) -> None:
    """Tiny blocks: one output row per block (ragged last block); large: several images."""
    monkeypatch.setattr(conv, "BLOCK_BYTES", block)
    rng = np.random.default_rng(block)
    x = rng.standard_normal((3, 2, 13, 11)).astype(np.float32)
    W = rng.standard_normal((4, 2, 3, 2)).astype(np.float32)
    for kw in (dict(pad=1), dict(stride=(2, 3), pad=(2, 1), dilation=(2, 1), pad_mode="reflect")):
        _close(conv.conv2d(x, W, 0.5, **kw), conv2d_naive(x, W, 0.5, **kw))


@pytest.mark.parametrize(("shape", "W_shape", "pad"), [
    ((1, 1, 512, 512), (1, 1, 3, 3), 1), ((1, 3, 256, 256), (8, 3, 5, 5), 2),
    ((50, 1, 28, 28), (30, 1, 5, 5), 0),
])
def test_core_peak_memory_within_one_and_a_half_in_plus_out(shape, W_shape, pad) -> None:
    rng = np.random.default_rng(0)
    x = rng.random(shape, dtype=np.float32)
    W = rng.standard_normal(W_shape).astype(np.float32)
    out = conv.conv2d(x, W, pad=pad)
    peak = peak_extra_bytes(lambda: conv.conv2d(x, W, pad=pad))
    assert peak <= 1.5 * (x.nbytes + out.nbytes), peak / (x.nbytes + out.nbytes)


def test_book_im2col_shapes() -> None:
    """The book's own example (section 7.4.3): (1, 3, 7, 7) with 5×5 → (9, 75);
    (10, 3, 7, 7) → (90, 75)."""
    x1 = np.random.default_rng(0).random((1, 3, 7, 7))
    assert im2col(x1, 5, 5, stride=1, pad=0).shape == (9, 75)
    assert im2col(np.zeros((10, 3, 7, 7)), 5, 5).shape == (90, 75)
    col = im2col(x1, 5, 5)
    assert np.array_equal(col[4], x1[0, :, 1:6, 1:6].astype(np.float32).ravel())


def test_convolution_layer_keeps_the_books_names() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 6, 5)).astype(np.float32)
    layer = Convolution(rng.standard_normal((4, 3, 3, 3)), np.zeros(4), stride=1, pad=1)
    out = layer.forward(x)
    assert layer.col is not None and layer.col.shape == (2 * 6 * 5, 27)
    assert layer.col_W is not None and layer.col_W.shape == (27, 4)
    assert out.shape == (2, 4, 6, 5) and out.flags.c_contiguous
    layer.backward(np.ones_like(out))
    assert layer.dW.shape == (4, 3, 3, 3) and layer.db.tolist() == [60.0] * 4
    pool = Pooling(2, 2)
    pool.forward(out)
    assert pool.arg_max is not None and pool.arg_max.shape == (2 * 4 * 3 * 2,)


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.uint8, np.float16, np.float32])
@pytest.mark.parametrize(("pad", "mode"), [(0, "zeros"), (1, "zeros"), (2, "edge"), (1, "reflect")])
def test_pad2d_returns_float32(dtype, pad, mode) -> None:
    x = (np.arange(2 * 4 * 5) % 7).reshape(2, 4, 5).astype(dtype)
    y = pad2d(x, pad, mode)
    assert y.dtype == np.float32
    assert y.shape == (2, 4 + 2 * pad, 5 + 2 * pad)
    assert np.array_equal(y[:, pad:pad + 4, pad:pad + 5], x.astype(np.float32))
    assert x.dtype == dtype  # never modified
