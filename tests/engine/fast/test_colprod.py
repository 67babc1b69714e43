"""One filter over C channels by a column product then shifted adds (fast/colprod.py), and
rank-1 kernels on mixed channels (separable.py with `mix`), against the core and the naive
oracle: sizes, pads, pad modes, dilation, dtypes, non-contiguous input, NaN/±∞, cancel."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from app.cancel import CancelledWork, run_cancellable
from app.engine import conv, conv2d, depthwise_conv2d, get_kernel
from app.engine.fast import colprod, separable
from app.engine.geometry import conv_geometry
from app.engine.reference import conv2d_naive, depthwise_conv2d_naive

from ..test_functional import _close


@pytest.fixture
def taken(monkeypatch) -> list[tuple[int, ...]]:
    """The input shapes colprod.col_conv is called with (its cost set to 0: always chosen
    where it applies)."""
    calls: list[tuple[int, ...]] = []
    monkeypatch.setattr(colprod, "passes", lambda *a: 0.0)
    real = colprod.col_conv
    monkeypatch.setattr(colprod, "col_conv",
                        lambda x, *a, **k: calls.append(x.shape) or real(x, *a, **k))
    return calls


@pytest.mark.parametrize(("C", "FH", "FW", "pad", "dil"), [
    (3, 3, 3, 1, 1), (1, 5, 5, 2, 1), (2, 3, 5, (0, 2), 1), (3, 5, 3, (2, 0), 1),
    (2, 2, 7, (0, 3), 1), (1, 7, 2, 3, 1), (3, 3, 3, 0, 1), (2, 3, 3, 2, (1, 3)),
    (3, 4, 1, (3, 0), 1), (1, 1, 4, 0, (1, 2)),
])
@pytest.mark.parametrize("mode", ["zeros", "edge", "reflect"])
def test_matches_oracle_and_core(taken, C, FH, FW, pad, dil, mode) -> None:
    rng = np.random.default_rng(C * 1000 + FH * 100 + FW)
    x = rng.standard_normal((2, C, 19, 23)).astype(np.float32)
    W = rng.standard_normal((1, C, FH, FW)).astype(np.float32)
    kw = dict(pad=pad, dilation=dil, pad_mode=mode)
    got = conv2d(x, W, 0.25, **kw)
    _close(got, conv2d_naive(x, W, 0.25, **kw))
    _close(got, conv.conv2d(x, W, 0.25, **kw))
    assert got.shape == (2, 1, *got.shape[2:]) and taken == [(2, C, 19, 23)]


@pytest.mark.parametrize("block", [1, 4 * 3 * 12 * 4, 4 * 3 * 12 * 7, 1 << 19])
@pytest.mark.parametrize("rows", [1, 2, 3])
@pytest.mark.parametrize(("H", "FH", "pad"), [(1, 3, 1), (2, 5, 2), (4, 3, 3), (11, 5, 2)])
def test_many_blocks_row_groups_and_edge_blocks(monkeypatch, taken, block, rows, H, FH,
                                                pad) -> None:
    """One output row per block up to one block, ragged row groups, inputs shorter than the
    kernel (blocks lying wholly in the padding)."""
    monkeypatch.setattr(colprod, "BLOCK_BYTES", block)
    monkeypatch.setattr(colprod, "G", rows)
    rng = np.random.default_rng(H + FH + rows)
    x = rng.standard_normal((2, 3, H, 10)).astype(np.float32)
    W = rng.standard_normal((1, 3, FH, 3)).astype(np.float32)
    _close(conv2d(x, W, pad=pad), conv2d_naive(x, W, pad=pad))
    assert len(taken) == 1


def test_dtypes_and_non_contiguous_input(taken) -> None:
    rng = np.random.default_rng(7)
    W = rng.standard_normal((1, 2, 3, 3)).astype(np.float32)
    big = rng.standard_normal((3, 4, 30, 40))
    for x in (big[:, ::2, ::2, 1::2], big[:, 1:3].astype(np.float32)[..., ::-1],
              big[:1, :2].astype(np.float16)):
        got = conv2d(x, W, pad=1)
        assert got.dtype == np.float32
        _close(got, conv2d_naive(x.astype(np.float32), W, pad=1))
    assert len(taken) == 3


def test_depthwise_with_a_kernel_per_channel(taken) -> None:
    rng = np.random.default_rng(8)
    x = rng.random((2, 3, 33, 35), dtype=np.float32)
    Ks = rng.standard_normal((3, 3, 3)).astype(np.float32)
    _close(depthwise_conv2d(x, Ks, [0.5, -1, 2], pad=1),
           depthwise_conv2d_naive(x, Ks, [0.5, -1, 2], pad=1))
    assert taken == [(2, 1, 33, 35)] * 3


@pytest.mark.parametrize("zero_tap", [False, True])
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # the oracle: 0·NaN
def test_nan_and_inf_give_the_cores_result(taken, zero_tap) -> None:
    """The Toeplitz zeros would spread a NaN to the rows sharing its product: a block holding
    one raises NonFiniteError and the core computes the whole conv (a zero tap: before)."""
    x = np.random.default_rng(9).random((1, 2, 70, 90), dtype=np.float32)
    x[0, 0, 0, 5] = np.nan
    x[0, 1, 30, 89] = np.inf
    x[0, 0, 31, 40] = -np.inf
    W = np.random.default_rng(10).uniform(0.5, 1.5, (1, 2, 3, 3)).astype(np.float32)
    W[0, 1, 1, 1] = 0.0 if zero_tap else W[0, 1, 1, 1]
    got, want = conv2d(x, W, pad=1), conv2d_naive(x, W, pad=1)
    assert np.array_equal(np.isnan(got), np.isnan(want)) and np.isnan(got).sum() >= 6
    assert np.array_equal(np.isinf(got), np.isinf(want))
    assert np.array_equal(got[np.isinf(got)], want[np.isinf(want)])
    assert len(taken) == (0 if zero_tap else 1)
    clean = np.nan_to_num(x, posinf=3.0, neginf=-3.0)
    _close(conv2d(clean, W, pad=1), conv2d_naive(clean, W, pad=1))
    assert len(taken) == (1 if zero_tap else 2)


def test_a_cancelled_job_stops() -> None:
    x = np.random.default_rng(11).random((1, 3, 40, 40), dtype=np.float32)
    W = np.random.default_rng(12).standard_normal((1, 3, 3, 3)).astype(np.float32)
    g = conv_geometry(40, 40, 3, 3, pad=1)
    run = lambda: colprod.col_conv(x, W, None, g)  # noqa: E731
    _close(run_cancellable(threading.Event(), run), conv2d_naive(x, W, pad=1))
    cancelled = threading.Event()
    cancelled.set()
    with pytest.raises(CancelledWork):
        run_cancellable(cancelled, run)


@pytest.mark.parametrize("block", [1, 100, 1 << 18])
@pytest.mark.parametrize(("size", "pad", "mode"), [
    (3, 1, "zeros"), (5, 2, "reflect"), (3, (2, 0), "edge"), (5, (0, 3), "zeros"),
])
def test_mixed_channels_through_the_separable_path(monkeypatch, block, size, pad,
                                                   mode) -> None:
    """W[c] = alpha_c·K with K rank 1 (a Gaussian on every channel): the channels are mixed
    per block, then separable.sep_planes's column product and row pass."""
    calls = []
    real = separable.sep_planes
    monkeypatch.setattr(separable, "passes", lambda *a: 0.0)
    monkeypatch.setattr(separable, "BLOCK_BYTES", block)
    monkeypatch.setattr(separable, "sep_planes", lambda *a, **k: calls.append(k) or real(*a, **k))
    rng = np.random.default_rng(size)
    x = rng.standard_normal((2, 3, 13, 16)).astype(np.float32)
    K = get_kernel("gaussian", size=size, sigma=1.0)
    for alpha in ([1.0, 1.0, 1.0], [1.0, -1.0, 0.5]):
        W = (np.array(alpha)[:, None, None] * K)[None].astype(np.float32)
        got = conv2d(x, W, 0.25, pad=pad, pad_mode=mode)
        _close(got, conv2d_naive(x, W, 0.25, pad=pad, pad_mode=mode))
        _close(got, conv.conv2d(x, W, 0.25, pad=pad, pad_mode=mode))
    assert len(calls) == 2 and all(k.get("mix") is not None for k in calls)
