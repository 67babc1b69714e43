"""conv_geometry: slide 10's OH = (H + 2P − FH) / S + 1, exact or floored, and its errors."""

import pytest

from app.engine import GeometryError, conv_geometry


def test_exact_padding_keeps_the_size() -> None:
    g = conv_geometry(28, 28, 5, 5, stride=1, pad=2)
    assert (g.out_h, g.out_w, g.exact, g.dropped_rows, g.dropped_cols) == (28, 28, True, 0, 0)
    assert g.stride == (1, 1) and g.pad == (2, 2) and g.dilation == (1, 1)


def test_not_exact_floors_and_names_the_dropped_rows() -> None:
    g = conv_geometry(8, 7, 3, 3, stride=2)
    assert (g.out_h, g.out_w) == (3, 3)
    assert (g.exact_h, g.exact_w, g.exact) == (False, True, False)
    assert (g.dropped_rows, g.dropped_cols) == (1, 0)
    assert g.formula_h == ("OH = ⌊(H + 2P − FH) / S⌋ + 1 = ⌊(8 + 2·0 − 3) / 2⌋ + 1 = 3"
                           " (not exact: remainder 1)")
    assert g.formula_w == "OW = (W + 2P − FW) / S + 1 = (7 + 2·0 − 3) / 2 + 1 = 3"


def test_pairs_and_dilation() -> None:
    g = conv_geometry(10, 12, 3, 2, stride=(1, 3), pad=(0, 1), dilation=(2, 1))
    # effective FH = 2·(3−1)+1 = 5 → (10 − 5)/1 + 1 = 6; OW = ⌊(12 + 2 − 2)/3⌋ + 1 = 5
    assert (g.out_h, g.out_w) == (6, 5)
    assert (g.dropped_rows, g.dropped_cols) == (0, 0)
    assert "5 (= 2·(3−1)+1)" in g.formula_h


@pytest.mark.parametrize(("H", "W", "FH", "FW", "stride", "pad", "rows", "cols"), [
    (28, 28, 5, 5, 2, 0, 1, 1),
    (5, 6, 2, 2, 2, 0, 1, 0),
    (7, 7, 4, 4, 3, 1, 2, 2),
    (8, 8, 4, 4, 2, 1, 0, 0),
    (9, 10, 3, 3, 4, 0, 2, 3),
])
def test_dropped_rows_and_cols(H, W, FH, FW, stride, pad, rows, cols) -> None:
    g = conv_geometry(H, W, FH, FW, stride=stride, pad=pad)
    assert (g.dropped_rows, g.dropped_cols) == (rows, cols)
    assert g.out_h == (H + 2 * pad - FH) // stride + 1
    assert g.exact == (rows == 0 and cols == 0)


def test_window_too_large_names_the_numbers() -> None:
    with pytest.raises(GeometryError, match="5×5") as e:
        conv_geometry(4, 4, 5, 5)
    assert "H=4" in str(e.value) and "4×4" in str(e.value)
    assert isinstance(e.value, ValueError)


@pytest.mark.parametrize("kwargs", [dict(stride=0), dict(pad=-1), dict(dilation=0)])
def test_invalid_arguments(kwargs) -> None:
    with pytest.raises(GeometryError):
        conv_geometry(8, 8, 3, 3, **kwargs)
