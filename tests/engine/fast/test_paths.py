"""The fast paths in many small blocks and their special cases, against the naive oracle."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import GeometryError, conv, conv2d, depthwise_conv2d, fast, get_kernel
from app.engine.fast import filters, gemm, slabs
from app.engine.reference import conv2d_naive, depthwise_conv2d_naive

from ..test_functional import _close


@pytest.mark.parametrize("block", [1, 700, 5000])
def test_tiny_blocks_and_ragged_tails(monkeypatch, block: int) -> None:
    """Force many blocks (with a shorter last one) through both fast paths."""
    monkeypatch.setattr(gemm, "BLOCK_BYTES", block)
    monkeypatch.setattr(filters, "BLOCK_BYTES", block)
    rng = np.random.default_rng(block)
    x = rng.standard_normal((3, 2, 11, 9)).astype(np.float32)
    for W, kw in [(rng.standard_normal((4, 2, 3, 2)), dict(pad=1)),
                  (rng.standard_normal((2, 2, 3, 3)), dict(stride=2, pad=(1, 2))),
                  (rng.standard_normal((1, 2, 3, 3)), dict(pad=1, pad_mode="edge")),
                  (np.outer([1, 2, 1], [1, 0, -1])[None, None].repeat(2, 1), dict(pad=1))]:
        W = W.astype(np.float32)
        _close(conv2d(x, W, **kw), conv2d_naive(x, W, **kw))
    K = get_kernel("gaussian")
    _close(depthwise_conv2d(x, K, pad=2), depthwise_conv2d_naive(x, K, pad=2))


@pytest.mark.parametrize(("FH", "FW", "ph", "pw", "dil"), [
    (3, 3, 1, 1, 1), (5, 3, 0, 1, 1), (2, 5, 0, 2, 1), (3, 3, 2, 2, (1, 2)), (4, 3, 3, 1, 1),
])
@pytest.mark.parametrize("block", [64, 1 << 18])
def test_rank1_kernels_row_then_column_pass(monkeypatch, FH, FW, ph, pw, dil, block) -> None:
    """Rank-1 kernels through shift-and-add as a row pass then a column pass (filters.py)."""
    calls = []
    real = filters.strategy
    monkeypatch.setattr(slabs, "applies", lambda *a: False)  # else small kernels take slabs
    monkeypatch.setattr(filters, "strategy", lambda *a: calls.append(r := real(*a)) or r)
    monkeypatch.setattr(filters, "BLOCK_BYTES", block)
    rng = np.random.default_rng(FH * 10 + FW)
    x = rng.standard_normal((2, 1, 23, 17)).astype(np.float32)
    K = np.outer(rng.standard_normal(FH), [1, 3, -2, 3, 1][:FW]).astype(np.float32)
    kw = dict(pad=(ph, pw), dilation=dil)
    _close(conv2d(x, K[None, None], **kw), conv2d_naive(x, K[None, None], **kw))
    _close(depthwise_conv2d(x, K, 0.5, **kw), depthwise_conv2d_naive(x, K, 0.5, **kw))
    assert calls and all(s.sep is not None for s in calls), "the row/column passes were not taken"


@pytest.mark.parametrize("block", [1, 3000, 9000, 1 << 20])
@pytest.mark.parametrize(("H", "pad"), [(28, 0), (13, 1), (9, (2, 0))])
def test_one_image_gemm_full_and_ragged_blocks(monkeypatch, block, H, pad) -> None:
    """gemm._conv2d_one (N = 1, stride 1): full blocks reuse one im2col view, a shorter last
    block its own; no padding reads the input in place."""
    monkeypatch.setattr(gemm, "BLOCK_BYTES", block)
    calls = []
    real = gemm._conv2d_one
    monkeypatch.setattr(gemm, "_conv2d_one", lambda *a: calls.append(1) or real(*a))
    rng = np.random.default_rng(H)
    x = rng.standard_normal((1, 2, H, 11)).astype(np.float32)
    W = rng.standard_normal((5, 2, 5, 3)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    for xs in (x, x[:, :, :, ::-1]):  # and a non-contiguous input
        _close(conv2d(xs, W, b, pad=pad), conv2d_naive(xs, W, b, pad=pad))
    kw = dict(pad=pad, dilation=(2, 1), pad_mode="edge")  # the block views' dilated strides
    _close(conv2d(x, W[..., :2], b, **kw), conv2d_naive(x, W[..., :2], b, **kw))
    assert len(calls) == 3


def _same_nonfinite(got: np.ndarray, want: np.ndarray) -> None:
    """Same NaN and ±∞ positions (and signs), the finite values within the float32 tolerance."""
    assert got.dtype == np.float32 and got.shape == want.shape
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.array_equal(np.isposinf(got), np.isposinf(want))
    assert np.array_equal(np.isneginf(got), np.isneginf(want))
    ok = np.isfinite(want)
    _close(got[ok], want[ok])


@pytest.mark.parametrize("kw", [{}, dict(pad=1), dict(stride=2, pad=(1, 0)),
                                dict(pad=2, pad_mode="reflect")])
@pytest.mark.parametrize("N", [1, 3])
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # 0·∞, ∞ − ∞: NaN, as meant
def test_filter_bank_gemm_takes_nan_and_inf_weights_unchecked(monkeypatch, kw, N) -> None:
    """A filter bank on narrow rows goes to gemm without a finite check of W: every tap of every
    window is multiplied by its weight (padding zeros too: 0·∞ = NaN), and the bias is one more
    term, so NaN and ±∞ in x, W or b land where the core and the naive loops put them."""
    taken = []
    real = gemm.conv2d_gemm
    monkeypatch.setattr(fast, "conv2d_gemm", lambda *a: taken.append(1) or real(*a))
    rng = np.random.default_rng(N)
    x = rng.standard_normal((N, 2, 12, 10)).astype(np.float32)
    x[0, 1, 5, 6] = np.inf
    W = rng.standard_normal((4, 2, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    W[1, 0, 1, 1], W[2, 1, 0, 2], W[3, 0, 2, 0], b[0] = np.nan, np.inf, -np.inf, np.inf
    for xs in (x, x[:, :, :, ::-1], x.astype(np.float64)):  # non-contiguous, another dtype
        got = conv2d(xs, W, b, **kw)
        _same_nonfinite(got, conv.conv2d(xs, W, b, **kw))
        _same_nonfinite(got, conv2d_naive(xs, W, b, **kw))
    assert len(taken) == 3


def test_a_wrong_pad_mode_is_refused_on_every_lane() -> None:
    """As the core refuses it, even where no padding is done (one image, pad 0: gemm)."""
    x, W = np.zeros((1, 1, 28, 28), np.float32), np.zeros((30, 1, 5, 5), np.float32)
    for fn in (conv2d, conv.conv2d):
        with pytest.raises(ValueError, match="pad_mode must be one of"):
            fn(x, W, pad_mode="mirror")


def test_int_arguments_lane_of_conv_args_refuses_and_agrees_as_before() -> None:
    """core.conv_args skips pair() when stride, pad and dilation are all plain ints; any other
    spelling takes conv_geometry, and both give the same geometry and the same refusals."""
    x = np.random.default_rng(7).standard_normal((1, 2, 9, 8)).astype(np.float32)
    W = np.ones((3, 2, 3, 2), np.float32)
    g = conv.conv_args(x, W, 2, 1, 1)[2]
    for s, p, d in (((2, 2), 1, 1), (np.int64(2), (1, 1), 1), (2, np.int32(1), (1, 1))):
        assert conv.conv_args(x, W, s, p, d)[2] == g
    _close(conv2d(x, W, stride=2, pad=1), conv2d(x, W, stride=(2, 2), pad=(1, 1)))
    for kw in (dict(pad=-1), dict(stride=0), dict(dilation=0), dict(dilation=9)):
        with pytest.raises(GeometryError):
            conv2d(x, W, **kw)
    with pytest.raises(TypeError):
        conv2d(x, W, stride=1.0)
