"""Property tests: every fast op against its naive loop oracle (max abs error <= 1e-4)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine import (
    PAD_MODES,
    affine,
    avg_pool2d,
    col2im,
    conv2d,
    depthwise_conv2d,
    get_kernel,
    im2col,
    max_pool2d,
    relu,
    softmax,
)
from app.engine.geometry import f32
from app.engine.reference import (
    avg_pool2d_naive,
    conv2d_naive,
    depthwise_conv2d_naive,
    max_pool2d_naive,
)

TOL = 1e-4
SETTINGS = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
pairs = st.tuples(st.integers(1, 3), st.integers(1, 3))


@st.composite
def conv_case(draw, depthwise: bool = False):
    """Random (x, W, b, kwargs) whose geometry is valid for the chosen filter, stride, pad."""
    N, C = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    FN = C if depthwise else draw(st.integers(1, 4))
    FH, FW = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    stride = draw(st.one_of(st.integers(1, 3), pairs))
    dilation = draw(st.one_of(st.just(1), st.integers(1, 2),
                              pairs.map(lambda p: (p[0] % 2 + 1, p[1]))))
    pad = draw(st.one_of(st.integers(0, 2), st.tuples(st.integers(0, 2), st.integers(0, 2))))
    mode = draw(st.sampled_from(PAD_MODES))
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    ph, pw = (pad, pad) if isinstance(pad, int) else pad
    H = draw(st.integers(max(dh * (FH - 1) + 1 - 2 * ph, ph + 1, 1), 13))
    Wd = draw(st.integers(max(dw * (FW - 1) + 1 - 2 * pw, pw + 1, 1), 13))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((N, C, H, Wd)).astype(np.float32)
    shape = ((C, FH, FW) if draw(st.booleans()) else (FH, FW)) if depthwise else (FN, C, FH, FW)
    W = rng.standard_normal(shape).astype(np.float32)
    if draw(st.booleans()):  # rank-1 kernels and channel-proportional filters take other paths
        W = (rng.standard_normal(shape[:-2])[..., None, None] * np.outer(
            rng.integers(-2, 3, FH), rng.standard_normal(FW))).astype(np.float32)
    b = rng.standard_normal(FN).astype(np.float32) if draw(st.booleans()) else None
    return x, W, b, dict(stride=stride, pad=pad, pad_mode=mode, dilation=dilation)


def _close(got: np.ndarray, want: np.ndarray) -> None:
    assert got.dtype == np.float32
    assert got.shape == want.shape
    assert np.max(np.abs(got - want), initial=0.0) <= TOL


@SETTINGS
@given(conv_case())
def test_conv2d_matches_oracle(case) -> None:
    x, W, b, kw = case
    copies = [x.copy(), W.copy()]
    _close(conv2d(x, W, b, **kw), conv2d_naive(x, W, b, **kw))
    assert np.array_equal(x, copies[0]) and np.array_equal(W, copies[1])


@SETTINGS
@given(conv_case(depthwise=True))
def test_depthwise_matches_oracle(case) -> None:
    x, K, b, kw = case
    _close(depthwise_conv2d(x, K, b, **kw), depthwise_conv2d_naive(x, K, b, **kw))


@st.composite
def pool_case(draw):
    N, C = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    size = draw(st.one_of(st.integers(1, 4), pairs))
    kh, kw = (size, size) if isinstance(size, int) else size
    stride = draw(st.one_of(st.none(), st.integers(1, 3), pairs))
    pad = draw(st.integers(0, min(kh, kw) // 2))
    H, W = draw(st.integers(max(kh - 2 * pad, 1), 14)), draw(st.integers(max(kw - 2 * pad, 1), 14))
    x = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).standard_normal((N, C, H, W))
    return x.astype(np.float32), dict(size=size, stride=stride, pad=pad)


@SETTINGS
@given(pool_case())
def test_max_pool_matches_oracle(case) -> None:
    x, kw = case
    before = x.copy()
    _close(max_pool2d(x, **kw), max_pool2d_naive(x, **kw))
    assert np.array_equal(x, before)


@SETTINGS
@given(pool_case())
def test_avg_pool_matches_oracle(case) -> None:
    x, kw = case
    _close(avg_pool2d(x, **kw), avg_pool2d_naive(x, **kw))


@pytest.mark.parametrize(("H", "W", "kernel", "pad", "mode"), [
    (300, 257, (3, 3), 1, "zeros"), (211, 190, (5, 4), 2, "reflect"), (129, 300, (2, 7), 0, "edge"),
    (260, 301, "gaussian", 2, "zeros"), (300, 260, "sobel-x", 1, "zeros"),
    (70, 1100, "box-blur", 1, "edge"), (90, 80, "motion-blur", 4, "zeros"),
])
def test_large_single_filter_images(H, W, kernel, pad, mode) -> None:
    """Images big enough to cross the fast path's block boundaries, against shifted sums."""
    rng = np.random.default_rng(H * W)
    x = rng.standard_normal((1, 3, H, W)).astype(np.float32)
    K = (get_kernel(kernel) if isinstance(kernel, str)
         else rng.standard_normal(kernel).astype(np.float32))
    FH, FW = K.shape
    xp = np.pad(x.astype(np.float64), [(0, 0), (0, 0), (pad, pad), (pad, pad)],
                mode={"zeros": "constant"}.get(mode, mode))
    OH, OW = H + 2 * pad - FH + 1, W + 2 * pad - FW + 1
    want = sum(K[u, v] * xp[:, :, u:u + OH, v:v + OW] for u in range(FH) for v in range(FW))
    _close(depthwise_conv2d(x, K, pad=pad, pad_mode=mode), f32(want))
    _close(conv2d(x[:, :1], K[None, None], pad=pad, pad_mode=mode), f32(want[:, :1]))
    W3 = np.broadcast_to(K, (1, 3, FH, FW))
    _close(conv2d(x, W3, pad=pad, pad_mode=mode), f32(want.sum(axis=1, keepdims=True)))


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.uint8, np.float16])
def test_float32_out_for_any_input_dtype(dtype) -> None:
    x = (np.arange(2 * 3 * 6 * 6) % 7).reshape(2, 3, 6, 6).astype(dtype)
    W = np.ones((2, 3, 3, 3), dtype=dtype)
    outs = [conv2d(x, W, np.ones(2, dtype), pad=1), depthwise_conv2d(x, W[0]),
            max_pool2d(x), avg_pool2d(x), relu(x), softmax(x), im2col(x, 3, 3),
            affine(x, np.ones((108, 4), dtype), np.ones(4, dtype))]
    for out in outs:
        assert out.dtype == np.float32
    assert conv2d(x, W)[0, 0, 0, 0] == float(x[0, :, :3, :3].astype(np.float64).sum())


def test_im2col_shape_and_col2im_adjoint() -> None:
    """<im2col(x), c> == <x, col2im(c)>: col2im is the transpose of im2col."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 7, 6)).astype(np.float32)
    col = im2col(x, 3, 2, stride=2, pad=1)
    assert col.shape == (2 * 4 * 4, 3 * 3 * 2)
    c = rng.standard_normal(col.shape).astype(np.float32)
    back = col2im(c, x.shape, 3, 2, stride=2, pad=1)
    assert back.shape == x.shape
    assert abs(float((col * c).sum()) - float((x * back).sum())) < 1e-3


def test_relu_softmax_affine_values() -> None:
    x = np.array([[-1.0, 0.0, 2.0]], np.float32)
    assert relu(x).tolist() == [[0.0, 0.0, 2.0]]
    s = softmax(np.array([[0.0, np.log(3.0)], [1000.0, 1000.0]]))
    assert np.allclose(s, [[0.25, 0.75], [0.5, 0.5]])
    y = affine(np.ones((2, 1, 2, 2)), np.eye(4)[:, :2], np.array([1, 2]))
    assert y.tolist() == [[2, 3]] * 2
    before = x.copy()
    relu(x)
    assert np.array_equal(x, before)


def test_relu_writes_into_a_reused_buffer() -> None:
    x = np.array([[-2.0, 3.0]], np.float32)
    buf = np.full_like(x, 7)
    assert relu(x, out=buf) is buf
    assert buf.tolist() == [[0.0, 3.0]] and x.tolist() == [[-2.0, 3.0]]


def test_non_contiguous_inputs() -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 9, 8, 3)).astype(np.float32).transpose(0, 3, 1, 2)  # NHWC view
    K = rng.standard_normal((3, 3, 3)).astype(np.float32)
    _close(depthwise_conv2d(x, K, pad=1), depthwise_conv2d_naive(x, K, pad=1))
    W = rng.standard_normal((4, 3, 2, 2)).astype(np.float32)[:, :, ::-1]
    _close(conv2d(x, W, stride=2), conv2d_naive(x, W, stride=2))
    _close(conv2d(x, W[:1], pad=1), conv2d_naive(x, W[:1], pad=1))
    _close(max_pool2d(x[:, :, ::2]), max_pool2d_naive(x[:, :, ::2]))


def test_shape_errors_name_the_shapes() -> None:
    with pytest.raises(ValueError, match="C=3"):
        conv2d(np.zeros((1, 3, 5, 5)), np.zeros((2, 2, 3, 3)))
    with pytest.raises(ValueError, match="4 dimensions"):
        conv2d(np.zeros((3, 5, 5)), np.zeros((2, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"\(FH, FW\)"):
        depthwise_conv2d(np.zeros((1, 3, 5, 5)), np.zeros((2, 3, 3)))


def test_extreme_weight_ranges_stay_finite() -> None:
    x = np.random.default_rng(6).standard_normal((1, 1, 20, 20)).astype(np.float32)
    for K in (np.array([[1e-30, 1e-30, 1e-30], [1e-30, 1.0, 1e-30], [1e-30, 1e-30, 0]]),
              np.array([[1e20, 0, -1e20]]), np.zeros((3, 3))):
        K = K.astype(np.float32)
        got, want = conv2d(x, K[None, None], pad=1), conv2d_naive(x, K[None, None], pad=1)
        assert np.isfinite(got).all()
        assert np.allclose(got, want, rtol=1e-5, atol=1e-4 * max(1.0, float(np.abs(K).max())))
