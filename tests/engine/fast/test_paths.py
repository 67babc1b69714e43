"""The fast paths in many small blocks and their special cases, against the naive oracle."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import conv2d, depthwise_conv2d, get_kernel
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
    assert len(calls) == 2
