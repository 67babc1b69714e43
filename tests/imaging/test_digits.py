"""MNIST-style preparation: inversion, 20×20 fit keeping aspect, centre-of-mass centring."""

from __future__ import annotations

import numpy as np
import pytest

from app.imaging.digits import CENTRE, centre_of_mass, prepare_digit


def _canvas(h: int = 200, w: int = 300, bg: float = 0.0) -> np.ndarray:
    return np.full((h, w), bg, np.float32)


def test_centre_of_mass_of_a_single_pixel_is_that_pixel() -> None:
    img = np.zeros((5, 7), np.float32)
    img[1, 5] = 3.0
    assert centre_of_mass(img) == (1.0, 5.0)


def test_off_centre_blob_is_moved_to_the_centre_by_centre_of_mass() -> None:
    img = _canvas()
    img[10:50, 220:260] = 1.0  # a square blob near the top-right corner
    p = prepare_digit(img)
    assert not p.inverted and not p.empty
    assert p.bbox == (10, 220, 50, 260)
    assert p.image.shape == (28, 28) and p.image.dtype == np.float32
    cy, cx = centre_of_mass(p.image)
    assert abs(cy - CENTRE) <= 0.5 and abs(cx - CENTRE) <= 0.5
    ys, xs = np.nonzero(p.image > 0.5)
    assert ys.max() - ys.min() + 1 == 20 and xs.max() - xs.min() + 1 == 20


def test_centring_uses_centre_of_mass_not_the_bounding_box() -> None:
    # A heavy bar at the top and a thin stem: the mass sits high in the box, so the box is
    # placed lower than a bounding-box centring (offset 4) would put it.
    img = _canvas(100, 100)
    img[10:25, 20:80] = 1.0  # heavy bar, 15 rows
    img[25:70, 42:58] = 1.0  # thinner stem, 45 rows
    # centre of mass: (900·7 + 720·37) / 1620 = 20.33 rows into the 60-row box, i.e. 6.44 rows
    # into the 20-row fitted box (pixel centres), so the box goes at round(14 − 6.44) = 8.
    p = prepare_digit(img)
    cy, cx = centre_of_mass(p.image)
    assert abs(cy - CENTRE) <= 0.5 and abs(cx - CENTRE) <= 0.5
    ys, _ = np.nonzero(p.image > 0.5)
    assert p.offset[0] == 8  # bounding-box centring would give 4
    assert ys.min() == 8


def test_light_background_is_inverted() -> None:
    dark_on_light = _canvas(60, 60, bg=1.0)
    dark_on_light[15:45, 28:32] = 0.0  # a black vertical bar on white paper
    light_on_dark = 1.0 - dark_on_light
    a, b = prepare_digit(dark_on_light), prepare_digit(light_on_dark)
    assert a.inverted and not b.inverted
    np.testing.assert_allclose(a.image, b.image, atol=1e-6)
    assert a.image.max() == pytest.approx(1.0)
    assert a.image[0, 0] == 0.0  # background is black after preparation


def test_aspect_is_kept_when_fitting_into_20x20() -> None:
    img = _canvas(100, 100)
    img[10:90, 45:55] = 1.0  # 80 × 10: tall and thin → 20 × 2.5 ≈ 2 or 3 columns
    p = prepare_digit(img)
    ys, xs = np.nonzero(p.image > 0.3)
    assert ys.max() - ys.min() + 1 == 20
    assert 2 <= xs.max() - xs.min() + 1 <= 4
    assert p.scale == pytest.approx(0.25)


def test_values_stay_in_unit_range_and_gray_noise_is_stretched() -> None:
    img = _canvas(50, 50, bg=0.2)
    img[10:40, 20:30] = 0.6
    p = prepare_digit(img)
    assert p.image.min() >= 0.0 and p.image.max() == pytest.approx(1.0)
    assert p.image[0, 0] == 0.0


def test_blank_image_is_reported_empty() -> None:
    p = prepare_digit(_canvas(40, 40, bg=1.0))
    assert p.empty and p.inverted and p.bbox is None
    assert not p.image.any()


def test_channel_first_single_channel_input_is_accepted() -> None:
    img = _canvas(30, 30)[None]
    img[0, 5:25, 12:16] = 1.0
    assert prepare_digit(img).image.shape == (28, 28)


def test_rgb_input_is_refused() -> None:
    with pytest.raises(ValueError):
        prepare_digit(np.zeros((3, 10, 10), np.float32))


def test_centre_is_where_mnist_puts_the_centre_of_mass() -> None:
    # Measured on the 6,000 training digits: (13.99 ± 0.29, 14.01 ± 0.29), a whole-pixel shift
    # to (14, 14); the field's geometric centre 13.5 put uploads half a pixel up-left.
    assert CENTRE == 14.0
    img = _canvas(60, 60)
    img[20:40, 29:32] = 1.0  # a 20 × 3 bar: kept at scale 1, its mass centre is column 1 of 3
    p = prepare_digit(img)
    cy, cx = centre_of_mass(p.image)
    assert p.scale == 1.0 and p.offset[1] == 13  # 13.5 − 1 rounded down to 12 before
    assert cx == 14.0 and 13.5 <= cy <= 14.5
