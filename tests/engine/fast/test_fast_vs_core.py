"""Every fast path against the core (the book's im2col) and the naive oracle; non-finite inputs
give the same NaNs whatever path the shape would take (issue 16, item 13)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from app.engine import conv, conv2d, depthwise_conv2d, fast, get_kernel
from app.engine.fast import finite, separable, slabs
from app.engine.reference import conv2d_naive, depthwise_conv2d_naive

from ..test_functional import SETTINGS, _close, conv_case


@SETTINGS
@given(conv_case())
def test_fast_conv2d_equals_core(case) -> None:
    x, W, b, kw = case
    _close(conv2d(x, W, b, **kw), conv.conv2d(x, W, b, **kw))


@SETTINGS
@given(conv_case(depthwise=True))
def test_fast_depthwise_equals_core(case) -> None:
    x, K, b, kw = case
    _close(depthwise_conv2d(x, K, b, **kw), conv.depthwise_conv2d(x, K, b, **kw))


def _nan_image(C: int = 1, H: int = 8, W: int = 9) -> np.ndarray:
    x = np.random.default_rng(0).random((1, C, H, W), dtype=np.float32)
    x[0, 0, 4, 4] = np.nan
    return x


@pytest.mark.parametrize("FN", [1, 2, 3])
@pytest.mark.parametrize("pad", [0, 1])
def test_one_nan_with_identity_kernel_gives_nine_for_any_fn(FN: int, pad: int) -> None:
    """0·NaN = NaN: each of the 9 windows holding the NaN is NaN (torch and the oracle agree)."""
    x = _nan_image()
    W = np.broadcast_to(get_kernel("identity"), (FN, 1, 3, 3)).copy()
    got, want = conv2d(x, W, pad=pad), conv2d_naive(x, W, pad=pad)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert [int(np.isnan(got[0, f]).sum()) for f in range(FN)] == [9] * FN
    assert np.array_equal(got[~np.isnan(got)], want[~np.isnan(want)])


@pytest.mark.parametrize(("kernel", "kw"), [
    ("identity", {}), ("gaussian", dict(pad=2)), ("sobel-x", dict(pad=1)),
    ("box-blur", dict(stride=2)), ("laplacian-4", dict(pad=1, pad_mode="edge")),
])
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # the oracle: 0·NaN
def test_nan_and_inf_propagate_like_the_oracle_on_every_path(kernel: str, kw) -> None:
    x = _nan_image(C=3, H=30, W=70)  # wide rows: filter banks would take the slab path
    x[0, 2, 10, 50] = np.inf
    K = get_kernel(kernel)
    for W in (K[None, None].repeat(3, 1), np.stack([K[None].repeat(3, 0)] * 4)):
        got, want = conv2d(x, W, **kw), conv2d_naive(x, W, **kw)
        assert np.array_equal(np.isnan(got), np.isnan(want)), (kernel, W.shape)
        assert np.array_equal(np.isinf(got), np.isinf(want))
    got, want = depthwise_conv2d(x, K, **kw), depthwise_conv2d_naive(x, K, **kw)
    assert np.array_equal(np.isnan(got), np.isnan(want))


def test_nan_in_the_weights_takes_the_core_path_too() -> None:
    x = np.random.default_rng(1).random((1, 1, 6, 6), dtype=np.float32)
    W = np.zeros((1, 1, 3, 3), np.float32)
    W[0, 0, 0, 0] = np.nan
    assert np.isnan(conv2d(x, W)).all() and np.isnan(conv2d_naive(x, W)).all()


def test_finite_check() -> None:
    assert finite(np.ones((2, 3), np.float32))
    assert not finite(np.array([1.0, np.nan], np.float32))
    assert not finite(np.array([np.inf, -np.inf], np.float32))
    big = np.full(4, 3e38, np.float32)  # small arrays: np.isfinite, exact
    assert finite(big)
    assert np.array_equal(conv2d(big.reshape(1, 1, 2, 2), np.ones((1, 1, 1, 1))),
                          big.reshape(1, 1, 2, 2))
    large = np.full(fast.SMALL + 1, 3e38, np.float32)  # large: one sum, an overflow says False
    assert finite(np.ones(fast.SMALL + 1, np.float32)) and not finite(large)
    large[-1] = np.nan
    assert not finite(large)


def _paths(monkeypatch) -> list[str]:
    """Record which fast path each call takes."""
    taken: list[str] = []
    for mod, name in ((slabs, "slab_conv"), (fast, "filter_planes"), (fast, "conv2d_gemm"),
                      (separable, "sep_planes")):
        real = getattr(mod, name)
        monkeypatch.setattr(mod, name, lambda *a, _r=real, _n=name, **k: taken.append(_n)
                            or _r(*a, **k))
    return taken


@pytest.mark.parametrize(("where", "nans"), [((0, 0), 4), ((5, 100), 9), ((39, 127), 4)])
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # the oracle: 0·NaN
def test_one_filter_slabs_keep_a_nan_in_its_windows(monkeypatch, where, nans) -> None:
    """One filter on wide rows takes the block-Toeplitz slabs, whose structural zeros would
    turn a NaN into NaN rows around it: the block check sends it to the core instead."""
    taken = _paths(monkeypatch)
    x = np.random.default_rng(2).random((1, 1, 40, 128), dtype=np.float32)
    x[0, 0, where[0], where[1]] = np.nan
    K = get_kernel("gaussian", size=3, sigma=1.0)
    K[0, 0] *= 2  # rank 2 (a rank-1 kernel takes separable.py) and no zero tap: no up-front check
    for got, want in ((conv2d(x, K[None, None], pad=1), conv2d_naive(x, K[None, None], pad=1)),
                      (depthwise_conv2d(x, K, pad=1), depthwise_conv2d_naive(x, K, pad=1))):
        assert int(np.isnan(got).sum()) == int(np.isnan(want).sum()) == nans
        assert np.array_equal(np.isnan(got), np.isnan(want))
    assert taken == ["slab_conv", "slab_conv"]
    clean = np.random.default_rng(2).random((1, 1, 40, 128), dtype=np.float32)
    g = conv.conv_args(clean, K[None, None], 1, 1, 1)[2]
    with pytest.raises(slabs.NonFiniteError):
        slabs.slab_conv(x, K[None, None], None, g, strict=True)
    _close(slabs.slab_conv(clean, K[None, None], None, g, strict=True),
           conv2d_naive(clean, K[None, None], pad=1))


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_filter_banks_take_their_fast_path_with_a_nan_and_match(monkeypatch) -> None:
    """im2col and the bank slabs multiply every tap (0·NaN = NaN): no check, same NaNs."""
    taken = _paths(monkeypatch)
    rng = np.random.default_rng(3)
    W = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    W[:, :, 0, 0] = 0.0
    for shape in ((2, 3, 9, 10), (1, 3, 9, 70)):
        x = rng.random(shape, dtype=np.float32)
        x[-1, 1, 4, 5] = np.nan
        got, want = conv2d(x, W, pad=1), conv2d_naive(x, W, pad=1)
        assert np.array_equal(np.isnan(got), np.isnan(want)) and np.isnan(got).sum() == 36
    assert taken == ["conv2d_gemm", "slab_conv"]
