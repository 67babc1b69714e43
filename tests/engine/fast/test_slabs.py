"""The slab convolution (app/engine/fast/slabs.py) against the naive oracle, in small blocks."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import conv2d, depthwise_conv2d
from app.engine.fast import colprod, slabs
from app.engine.reference import conv2d_naive, depthwise_conv2d_naive

CASES = [  # (N, C, FN, H, W, FH, FW, kwargs)
    (2, 1, 1, 11, 9, 3, 3, dict(pad=1)),
    (1, 3, 1, 13, 10, 3, 2, dict(pad=(2, 1), pad_mode="reflect")),
    (2, 2, 1, 12, 12, 5, 5, dict(stride=2, pad=2)),
    (1, 2, 1, 9, 14, 2, 3, dict(stride=(3, 2), pad=(0, 2), dilation=(1, 2))),
    (2, 3, 4, 10, 11, 3, 3, dict(pad=1, pad_mode="edge")),
    (1, 3, 8, 16, 16, 5, 5, dict(stride=2, pad=2)),
    (1, 2, 3, 7, 8, 3, 4, dict(pad=(3, 0))),  # blocks lying wholly in the top / bottom padding
]


@pytest.mark.parametrize("block", [1, 900, 5000, 1 << 20])
@pytest.mark.parametrize("rows", [1, 2, 4])
@pytest.mark.parametrize("case", CASES)
def test_slab_conv_matches_oracle(monkeypatch, case, rows: int, block: int) -> None:
    N, C, FN, H, W, FH, FW, kw = case
    calls = []
    real = slabs.slab_conv
    monkeypatch.setattr(slabs, "slab_conv", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(slabs, "SLAB_BYTES", block)
    monkeypatch.setattr(slabs, "ROWS", rows)
    monkeypatch.setattr(slabs, "MIN_OW", 1)
    monkeypatch.setattr(colprod, "applies", lambda g: False)  # the slabs' own test
    rng = np.random.default_rng(H * W + FN)
    x = rng.standard_normal((N, C, H, W)).astype(np.float32)
    Wt = rng.standard_normal((FN, C, FH, FW)).astype(np.float32)
    b = rng.standard_normal(FN).astype(np.float32)
    got, want = conv2d(x, Wt, b, **kw), conv2d_naive(x, Wt, b, **kw)
    assert calls, "the slab path was not taken"
    assert got.shape == want.shape and np.abs(got - want).max() <= 1e-4
    K = Wt[0, 0]
    assert np.abs(depthwise_conv2d(x, K, **kw) - depthwise_conv2d_naive(x, K, **kw)).max() <= 1e-4


def test_slab_output_is_contiguous_nchw() -> None:
    x = np.arange(2 * 3 * 70 * 70, dtype=np.float32).reshape(2, 3, 70, 70) / 1e4
    W = np.ones((5, 3, 3, 3), np.float32)
    y = conv2d(x, W, pad=1)
    assert y.flags.c_contiguous and y.shape == (2, 5, 70, 70)
    assert np.isclose(y[1, 4, 10, 10], x[1, :, 9:12, 9:12].sum(), rtol=1e-6)


@pytest.mark.parametrize("block", [1, 3000, 1 << 20])
@pytest.mark.parametrize("mode", ["zeros", "reflect"])
def test_channel_mix_through_slabs(monkeypatch, block: int, mode: str) -> None:
    """Kernels alpha_c·K on every channel: the channels are mixed per block, then one filter."""
    calls = []
    real = slabs.slab_conv
    monkeypatch.setattr(slabs, "slab_conv", lambda *a, **k: calls.append(k) or real(*a, **k))
    monkeypatch.setattr(slabs, "SLAB_BYTES", block)
    rng = np.random.default_rng(block)
    x = rng.standard_normal((2, 3, 12, 15)).astype(np.float32)
    K = rng.standard_normal((3, 3)).astype(np.float32)
    Wt = (np.array([1.0, -1.0, 0.5])[:, None, None] * K)[None].astype(np.float32)
    got = conv2d(x, Wt, 0.25, pad=1, pad_mode=mode)
    assert calls and calls[0].get("mix") is not None
    assert np.abs(got - conv2d_naive(x, Wt, 0.25, pad=1, pad_mode=mode)).max() <= 1e-4


@pytest.mark.parametrize("block", [1, 2000, 1 << 20])
def test_one_image_im2col_path(monkeypatch, block: int) -> None:
    """N = 1, stride 1, narrow rows: columns._conv2d_one, in ragged row blocks."""
    from app.engine.fast import gemm as columns

    calls = []
    real = columns._conv2d_one
    monkeypatch.setattr(columns, "_conv2d_one", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(columns, "BLOCK_BYTES", block)
    rng = np.random.default_rng(block)
    x = rng.standard_normal((1, 2, 13, 11)).astype(np.float32)
    Wt = rng.standard_normal((5, 2, 3, 4)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    for kw in (dict(pad=(1, 2)), dict(pad=1, pad_mode="reflect", dilation=(2, 1)), {}):
        got, want = conv2d(x, Wt, b, **kw), conv2d_naive(x, Wt, b, **kw)
        assert np.abs(got - want).max() <= 1e-4
    assert len(calls) == 3
