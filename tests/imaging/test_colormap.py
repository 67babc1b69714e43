"""Colour scales (ends, midpoint, symmetry), PNG encoding, data URLs and grids."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from app.imaging.colormap import (
    DIVERGING_STOPS,
    SEQUENTIAL_STOPS,
    auto_scale,
    colorize,
    lut,
    scale_range,
)
from app.imaging.png import encode_png, grid, png_data_url


def rgb(hex_: str) -> list[int]:
    return [int(hex_[i:i + 2], 16) for i in (1, 3, 5)]


def test_luts_hit_every_published_stop() -> None:
    div, seq = lut("diverging"), lut("sequential")
    assert div.shape == (255, 3) and seq.shape == (256, 3) and div.dtype == np.uint8
    for k, stop in enumerate(DIVERGING_STOPS):  # stop k sits at index k·254/10 (k even: exact)
        if (k * 254) % 10 == 0:
            assert div[k * 254 // 10].tolist() == rgb(stop)
    assert div[0].tolist() == rgb("#053061") and div[127].tolist() == rgb("#f7f7f7")
    assert div[254].tolist() == rgb("#67001f")
    assert seq[0].tolist() == rgb("#440154") and seq[255].tolist() == rgb("#fde725")
    assert seq[0].tolist() == rgb(SEQUENTIAL_STOPS[0])
    assert np.array_equal(lut("gray")[:, 0], np.arange(256))


def test_lut_interpolates_half_way_with_rounding_half_up() -> None:
    # index 51 of 255 is t = 0.2 exactly: stop 2; index 38 is t ≈ 0.1496: between stops 1 and 2
    seq = lut("sequential").astype(int)
    a, b = np.array(rgb(SEQUENTIAL_STOPS[1])), np.array(rgb(SEQUENTIAL_STOPS[2]))
    f = 38 / 255 * 10 - 1
    assert seq[51].tolist() == rgb(SEQUENTIAL_STOPS[2])
    assert seq[38].tolist() == np.floor(a + (b - a) * f + 0.5).astype(int).tolist()


def test_diverging_is_symmetric_around_zero() -> None:
    m = np.array([[-2.0, 0.0, 2.0, 1.0, -1.0]], dtype=np.float32)
    c = colorize(m, "diverging")
    assert c[0, 0].tolist() == rgb("#053061")  # −max|v|
    assert c[0, 1].tolist() == rgb("#f7f7f7")  # zero: exactly the neutral middle
    assert c[0, 2].tolist() == rgb("#67001f")  # +max|v|
    div = lut("diverging")
    assert c[0, 3].tolist() == div[191].tolist() and c[0, 4].tolist() == div[63].tolist()  # 127±64


def test_diverging_range_uses_max_abs_even_when_lopsided() -> None:
    c = colorize(np.array([[-1.0, 0.0, 4.0]]), "diverging")
    assert scale_range(np.array([[-1.0, 4.0]]), "diverging") == (-4.0, 4.0)
    assert c[0, 1].tolist() == rgb("#f7f7f7") and c[0, 2].tolist() == rgb("#67001f")
    assert c[0, 0].tolist() == lut("diverging")[95].tolist()  # s = −0.25 → 127 − 32 = 95


def test_sequential_ends_and_midpoint() -> None:
    c = colorize(np.array([[0.0, 0.5, 1.0]]), "sequential")
    seq = lut("sequential")
    assert c[0, 0].tolist() == rgb("#440154") and c[0, 2].tolist() == rgb("#fde725")
    assert c[0, 1].tolist() == seq[128].tolist()  # floor(0.5·255 + 0.5) = 128
    positive = colorize(np.array([[2.0, 4.0]]), "sequential")  # non-negative: range starts at 0
    assert positive[0, 0].tolist() == seq[128].tolist()


def test_gray_is_identity_on_unit_range_and_stretches_otherwise() -> None:
    a = np.arange(256, dtype=np.float32).reshape(16, 16) / 255
    assert np.array_equal(colorize(a, "gray")[..., 0], np.arange(256).reshape(16, 16))
    stretched = colorize(np.array([[10.0, 20.0]]), "gray")
    assert stretched[0, 0].tolist() == [0, 0, 0] and stretched[0, 1].tolist() == [255, 255, 255]


def test_auto_picks_diverging_for_signed_maps() -> None:
    assert auto_scale(np.array([[0.0, -0.1]])) == "diverging"
    assert auto_scale(np.array([[0.0, 3.0]])) == "sequential"
    signed = np.array([[-1.0, 1.0]])
    assert np.array_equal(colorize(signed), colorize(signed, "diverging"))


def test_constant_and_non_finite_maps() -> None:
    assert (colorize(np.zeros((2, 2)), "diverging") == rgb("#f7f7f7")).all()
    assert (colorize(np.zeros((2, 2)), "sequential") == rgb("#440154")).all()
    c = colorize(np.array([[np.nan, -np.inf, np.inf, -1.0, 1.0]]), "diverging")
    assert c[0, 0].tolist() == rgb("#f7f7f7")  # NaN counts as 0
    assert c[0, 1].tolist() == rgb("#053061") and c[0, 2].tolist() == rgb("#67001f")


def test_vmin_vmax_override() -> None:
    c = colorize(np.array([[0.5]]), "gray", vmin=0.0, vmax=2.0)
    assert c[0, 0].tolist() == [64, 64, 64]  # t = 0.25 → floor(63.75 + 0.5) = 64


def test_colorize_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        colorize(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError):
        colorize(np.zeros((2, 2)), "rainbow")  # type: ignore[arg-type]


def test_encode_png_round_trips() -> None:
    a = np.arange(12, dtype=np.uint8).reshape(2, 2, 3) * 20
    back = np.asarray(Image.open(io.BytesIO(encode_png(a))))
    assert np.array_equal(back, a)
    gray = np.asarray(Image.open(io.BytesIO(encode_png(np.array([[0.0, 0.5, 1.0, 2.0]])))))
    assert gray.tolist() == [[0, 128, 255, 255]]
    with pytest.raises(ValueError):
        encode_png(np.zeros((2, 2, 2), np.uint8))


def test_png_data_url_decodes_to_the_colorized_map() -> None:
    m = np.array([[-1.0, 0.0], [0.5, 1.0]], dtype=np.float32)
    url = png_data_url(m)
    assert url.startswith("data:image/png;base64,")
    img = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))
    assert np.array_equal(img, colorize(m, "diverging"))


def test_grid_layout_gap_and_background() -> None:
    maps = np.stack([np.full((4, 5), v, np.float32) for v in (1.0, 2.0, 3.0)])
    g = grid(maps, cols=2, gap=2)
    assert g.shape == (2 * 4 + 2, 2 * 5 + 2, 3) and g.dtype == np.uint8
    assert (g[4:6] == 128).all() and (g[:, 5:7] == 128).all()  # the gaps
    assert (g[6:, 7:] == 128).all()  # the empty fourth cell
    assert g[0, 0].tolist() == rgb("#fde725")  # each map scaled on its own: constant → its max
    single = grid([np.array([[0.0, 1.0]])])
    assert np.array_equal(single, colorize(np.array([[0.0, 1.0]])))
    assert grid(maps).shape == (10, 12, 3)  # default columns: ceil(√3) = 2
    with pytest.raises(ValueError):
        grid([])
