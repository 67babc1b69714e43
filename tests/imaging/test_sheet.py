"""imaging.sheet: one palette PNG per stage whose tiles are exactly colorize's colours."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from app.imaging.colormap import colorize
from app.imaging.sheet import sheet_png


@pytest.mark.parametrize("signed", [True, False])
def test_tiles_equal_colorize(signed: bool) -> None:
    maps = np.random.default_rng(0).standard_normal((5, 4, 6)).astype(np.float32)
    if not signed:
        maps = np.abs(maps)
    rgb = np.asarray(Image.open(io.BytesIO(sheet_png(maps, signed))).convert("RGB"))
    assert rgb.shape == (2 * 4 + 1, 3 * 6 + 2, 3)  # 3 columns, 2 rows, 1-pixel gaps
    m = float(np.abs(maps).max())
    lo, hi = (-m, m) if signed else (0.0, float(maps.max()))
    scale = "diverging" if signed else "sequential"
    for i in range(5):
        r, c = divmod(i, 3)
        tile = rgb[r * 5:r * 5 + 4, c * 7:c * 7 + 6]
        np.testing.assert_array_equal(tile, colorize(maps[i], scale, vmin=lo, vmax=hi))
