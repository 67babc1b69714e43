"""The backward view against numerical gradients and the book's formulas on the same numbers."""

from __future__ import annotations

import numpy as np
import pytest

from app.errors import ApiError
from app.schemas.explain import BackwardRequest
from app.services.backward import backward_view, conv64


def _req(**kw) -> BackwardRequest:
    rng = np.random.default_rng(kw.pop("seed", 0))
    C, H, FN, F = kw.pop("C", 2), kw.pop("H", 5), kw.pop("FN", 3), kw.pop("F", 3)
    body = {"x": rng.standard_normal((C, H, H)).round(2).tolist(),
            "W": rng.standard_normal((FN, C, F, F)).round(2).tolist(),
            "b": rng.standard_normal(FN).round(2).tolist(), **kw}
    return BackwardRequest.model_validate(body)


@pytest.mark.parametrize("kw", [{}, {"stride": 2, "pad": 1}, {"loss": "square", "pad": 2},
                                {"C": 1, "FN": 1, "F": 2, "H": 4}, {"stride": 3, "F": 2}])
def test_analytic_gradients_equal_numerical_ones(kw) -> None:
    r = backward_view(_req(**kw))
    num = r.numerical
    for key, ours in (("dW", r.dW), ("db", r.db), ("dx", r.dx)):
        np.testing.assert_allclose(np.asarray(ours), np.asarray(num[key]), atol=2e-3, rtol=1e-3)
        assert num["max_abs_error"][key] < 2e-3


def test_the_book_formulas_on_the_returned_numbers() -> None:
    r = backward_view(_req(stride=1, pad=1))
    col, col_W, dout = np.asarray(r.col), np.asarray(r.col_W), np.asarray(r.dout)
    FN, C, FH, FW = np.asarray(r.dW).shape
    np.testing.assert_allclose(np.asarray(r.dW), (col.T @ dout).T.reshape(FN, C, FH, FW),
                               atol=1e-5)
    np.testing.assert_allclose(r.db, dout.sum(axis=0), atol=1e-5)
    np.testing.assert_allclose(np.asarray(r.dcol), dout @ col_W.T, atol=1e-5)
    assert dout.tolist() == np.ones_like(dout).tolist()  # loss "sum": dout = 1
    x = np.asarray(_req(stride=1, pad=1).x, np.float64)
    ref = conv64(x, np.asarray(_req().W, np.float64), np.asarray(_req().b), 1, 1)
    np.testing.assert_allclose(np.asarray(r.out), ref, atol=1e-4)


def test_coverage_counts_the_windows_over_each_pixel() -> None:
    r = backward_view(_req(C=1, FN=1, F=3, H=5))  # 3×3 windows, stride 1, no padding
    want = np.outer([1, 2, 3, 2, 1], [1, 2, 3, 2, 1]).tolist()
    assert r.coverage == want
    r = backward_view(_req(C=1, FN=1, F=2, H=5, stride=3))  # pixels skipped by the stride: 0
    assert r.coverage == [[1, 1, 0, 1, 1]] * 2 + [[0] * 5] + [[1, 1, 0, 1, 1]] * 2


def test_a_given_dout_is_used_and_its_shape_checked() -> None:
    dout = np.arange(27, dtype=float).reshape(3, 3, 3) / 10
    r = backward_view(_req(dout=dout.tolist()))
    np.testing.assert_allclose(r.dout, dout.transpose(1, 2, 0).reshape(-1, 3), atol=1e-6)
    assert r.numerical["max_abs_error"]["dx"] < 2e-3
    with pytest.raises(ApiError) as e:
        backward_view(_req(dout=dout[:, :2].tolist()))
    assert e.value.code == "backward_shape" and e.value.field == "dout"


def test_shape_errors() -> None:
    with pytest.raises(ApiError) as e:
        backward_view(_req(b=[1.0]))
    assert e.value.code == "backward_shape" and e.value.limit == "(3,)"
    bad = _req().model_dump()
    bad["W"][0] = bad["W"][0][:1]  # ragged
    with pytest.raises(ApiError) as e:
        backward_view(BackwardRequest.model_validate(bad))
    assert e.value.field == "W"
    with pytest.raises(ApiError) as e:
        backward_view(_req(F=5, H=3))
    assert e.value.code == "kernel_larger_than_input"
