"""Rank-1 kernels by a column product then a row pass (fast/separable.py), against the core and
the naive oracle: odd sizes, pads, dilation, pad modes, dtypes, non-contiguous input, NaN/±∞."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from app.cancel import CancelledWork, run_cancellable
from app.engine import conv, conv2d, depthwise_conv2d, get_kernel
from app.engine.fast import filters, separable
from app.engine.geometry import conv_geometry
from app.engine.reference import conv2d_naive, depthwise_conv2d_naive

from ..test_functional import _close


@pytest.fixture
def taken(monkeypatch) -> list[tuple[int, ...]]:
    """The input shapes separable.sep_planes is called with (its estimated cost set to 0, so
    that every rank-1 kernel on one channel takes it whatever the cost model would choose)."""
    calls: list[tuple[int, ...]] = []
    monkeypatch.setattr(separable, "passes", lambda *a: 0.0)
    real = separable.sep_planes
    monkeypatch.setattr(separable, "sep_planes",
                        lambda x, *a, **k: calls.append(x.shape) or real(x, *a, **k))
    return calls


def _rank1(rng: np.random.Generator, FH: int, FW: int) -> np.ndarray:
    col = rng.uniform(0.5, 2.0, FH) * rng.choice([-1, 1], FH)  # no zero tap
    return np.outer(col, rng.uniform(0.5, 2.0, FW)).astype(np.float32)


@pytest.mark.parametrize(("FH", "FW", "pad", "dil"), [
    (3, 3, 1, 1), (5, 5, 2, 1), (3, 5, (0, 2), 1), (5, 3, (2, 0), 1), (2, 7, (0, 3), 1),
    (7, 2, 3, 1), (3, 3, 0, 1), (3, 3, 2, 1), (3, 3, 1, (2, 1)), (3, 3, 2, (1, 3)), (2, 4, 1, 1),
])
@pytest.mark.parametrize("mode", ["zeros", "edge", "reflect"])
def test_rank1_kernels_match_oracle_and_core(taken, FH, FW, pad, dil, mode) -> None:
    rng = np.random.default_rng(FH * 100 + FW)
    x = rng.standard_normal((2, 1, 19, 23)).astype(np.float32)
    K = _rank1(rng, FH, FW)
    kw = dict(pad=pad, dilation=dil, pad_mode=mode)
    got = conv2d(x, K[None, None], 0.25, **kw)
    _close(got, conv2d_naive(x, K[None, None], 0.25, **kw))
    _close(got, conv.conv2d(x, K[None, None], 0.25, **kw))
    assert taken == [(2, 1, 19, 23)]


@pytest.mark.parametrize("block", [1, 100, 4 * 40, 1 << 18])
@pytest.mark.parametrize(("H", "FH", "pad"), [(1, 3, 1), (2, 5, 2), (4, 3, 3), (11, 5, 2)])
def test_many_blocks_and_edge_blocks(monkeypatch, taken, block, H, FH, pad) -> None:
    """One output row per block up to one block; inputs shorter than the kernel (every block
    reads zero rows above and below)."""
    monkeypatch.setattr(separable, "BLOCK_BYTES", block)
    rng = np.random.default_rng(H + FH)
    x = rng.standard_normal((1, 1, H, 9)).astype(np.float32)
    K = _rank1(rng, FH, 3)
    _close(conv2d(x, K[None, None], pad=pad), conv2d_naive(x, K[None, None], pad=pad))
    assert len(taken) == 1


def test_dtypes_and_non_contiguous_input(taken) -> None:
    rng = np.random.default_rng(7)
    K = get_kernel("gaussian", size=5, sigma=1.0)
    big = rng.standard_normal((3, 2, 30, 40))
    for x in (big[:, :1, ::2, 1::2], big[:, 1:, :, :].astype(np.float32)[..., ::-1],
              big[:1, :1].astype(np.float16), np.asfortranarray(big[1, 0])[None, None]):
        got = conv2d(x, K[None, None], pad=2)
        assert got.dtype == np.float32
        _close(got, conv2d_naive(x.astype(np.float32), K[None, None], pad=2))
    assert len(taken) == 4


def test_depthwise_with_one_kernel_takes_it_once_for_all_planes(taken) -> None:
    rng = np.random.default_rng(8)
    x = rng.random((2, 3, 33, 35), dtype=np.float32)
    K = get_kernel("gaussian", size=3, sigma=1.0)
    _close(depthwise_conv2d(x, K, [0.5, -1, 2], pad=1),
           depthwise_conv2d_naive(x, K, [0.5, -1, 2], pad=1))
    assert taken == [(6, 1, 33, 35)]
    Ks = np.stack([K, 2 * K, _rank1(rng, 3, 3)])  # one rank-1 kernel per channel
    _close(depthwise_conv2d(x, Ks, pad=(1, 0)), depthwise_conv2d_naive(x, Ks, pad=(1, 0)))
    assert taken[1:] == [(2, 1, 33, 35)] * 3


@pytest.mark.parametrize("kernel", ["gaussian", "box-blur"])
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # the oracle: 0·NaN
def test_nan_and_inf_stay_in_their_windows(taken, kernel) -> None:
    """Every column tap is multiplied (0·NaN = NaN as in the core) and the kernel has no zero
    tap: a NaN or ±∞ reaches exactly the windows holding it, no more."""
    x = np.random.default_rng(9).random((1, 1, 70, 90), dtype=np.float32)
    x[0, 0, 0, 5] = np.nan
    x[0, 0, 30, 89] = np.inf
    x[0, 0, 31, 40] = -np.inf
    x[0, 0, 32, 41] = np.inf  # −∞ and +∞ in one window: NaN
    K = get_kernel(kernel, size=3)
    got, want = conv2d(x, K[None, None], pad=1), conv2d_naive(x, K[None, None], pad=1)
    assert np.array_equal(np.isnan(got), np.isnan(want)) and np.isnan(got).sum() > 6
    assert np.array_equal(np.isinf(got), np.isinf(want))
    assert np.array_equal(got[np.isinf(got)], want[np.isinf(want)])
    assert len(taken) == 1


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_a_zero_tap_with_a_nan_takes_the_core(taken) -> None:
    """Sobel has zero taps that the row pass skips: with a NaN in x the core computes it."""
    x = np.random.default_rng(10).random((1, 1, 20, 20), dtype=np.float32)
    x[0, 0, 9, 9] = np.nan
    K = get_kernel("sobel-x")
    got, want = conv2d(x, K[None, None], pad=1), conv2d_naive(x, K[None, None], pad=1)
    assert np.array_equal(np.isnan(got), np.isnan(want)) and np.isnan(got).sum() == 9
    assert taken == []
    clean = np.nan_to_num(x)
    _close(conv2d(clean, K[None, None], pad=1), conv2d_naive(clean, K[None, None], pad=1))
    assert len(taken) == 1


def test_column_weights_carry_the_scale() -> None:
    K = get_kernel("gaussian", size=3, sigma=1.0)
    st = filters.strategy(K[None])
    assert st.sep is not None
    col = separable.column(st.sep[0], 3, st.scale)
    row = np.zeros(3, np.float32)
    for w, ix in st.sep[1]:
        row[ix] = w
    np.testing.assert_allclose(np.outer(col[0], row), K, rtol=1e-6)


def test_a_cancelled_job_stops() -> None:
    x = np.random.default_rng(11).random((1, 1, 40, 40), dtype=np.float32)
    K = get_kernel("gaussian", size=3, sigma=1.0)
    st = filters.strategy(K[None])
    assert st.sep is not None
    g = conv_geometry(40, 40, 3, 3, pad=1)
    col = separable.column(st.sep[0], 3, st.scale)
    run = lambda: separable.sep_planes(x, col, st.sep[1], g)  # noqa: E731
    _close(run_cancellable(threading.Event(), run), conv2d_naive(x, K[None, None], pad=1))
    cancelled = threading.Event()
    cancelled.set()
    with pytest.raises(CancelledWork):
        run_cancellable(cancelled, run)


@pytest.mark.parametrize("block", [1, 4 * 12 * 3, 1 << 18])
@pytest.mark.parametrize(("H", "FH", "pad", "dil"), [(7, 3, (5, 1), (2, 1)), (9, 5, (6, 0), (2, 1)),
                                                     (3, 7, (4, 2), 1)])
def test_edge_rows_over_several_blocks(monkeypatch, taken, block, H, FH, pad, dil) -> None:
    """Output rows whose (dilated) taps reach into the top / bottom padding, spread over
    several blocks: each block's edge rows take one product over their taps inside the image."""
    monkeypatch.setattr(separable, "BLOCK_BYTES", block)
    monkeypatch.setattr(separable, "L2_BLOCK_BYTES", block)
    rng = np.random.default_rng(H * FH)
    x = rng.standard_normal((2, 1, H, 8)).astype(np.float32)
    K = _rank1(rng, FH, 3)
    kw = dict(pad=pad, dilation=dil)
    _close(conv2d(x, K[None, None], **kw), conv2d_naive(x, K[None, None], **kw))
    assert len(taken) == 1


@pytest.mark.parametrize(("row", "pad", "dil", "mode"), [
    ([0.7, 1.9, 0.7], 1, 1, "zeros"),  # a Gaussian's: the centre tap, pad 1
    ([1.0, 1.0, 3.0], (1, 2), 1, "zeros"),  # lone tap 2, pad 2: OW = W + 2
    ([3.0, 1.0, 1.0], (1, 0), 1, "zeros"),  # lone tap 0, no padding
    ([0.5, 2.0, 0.5], (1, 2), (1, 2), "zeros"),  # dilation 2: tap 1 is 2 columns in
    ([3.0, 1.0, 1.0], 1, 1, "edge"),  # the input padded first: lone tap 0
])
@pytest.mark.parametrize("block", [4 * 40, 1 << 21])
def test_row_pass_in_place(monkeypatch, taken, row, pad, dil, mode, block) -> None:
    """The column pass writes into the output and the row pass updates it in place (its lone
    first tap reads the output's own position): one row per block or one block, the planes one
    after another in one array."""
    monkeypatch.setattr(separable, "BLOCK_BYTES", block)
    calls: list[int] = []
    real = separable._in_place
    monkeypatch.setattr(separable, "_in_place", lambda *a: calls.append(1) or real(*a))
    x = np.random.default_rng(12).standard_normal((3, 1, 21, 17)).astype(np.float32)
    K = np.outer([0.6, -1.3, 0.8], row).astype(np.float32)
    kw = dict(pad=pad, dilation=dil, pad_mode=mode)
    _close(conv2d(x, K[None, None], 0.5, **kw), conv2d_naive(x, K[None, None], 0.5, **kw))
    assert taken == [(3, 1, 21, 17)] and calls


def test_one_row_tap_in_place_is_the_scaled_column_pass() -> None:
    x = np.random.default_rng(13).standard_normal((2, 1, 9, 11)).astype(np.float32)
    col = np.array([[0.6, -1.3, 0.8]], np.float32)
    got = separable.sep_planes(x, col, [(2.0, [1])], conv_geometry(9, 11, 3, 3, pad=1))
    K = np.outer(col[0], [0.0, 2.0, 0.0]).astype(np.float32)
    _close(got, conv2d_naive(x, K[None, None], pad=1))
