"""im2col view: patch matrix × filter matrix, reshaped, equals the API's convolution of the crop;
the full-image sizes come from the API's geometry."""

from __future__ import annotations

import io
from typing import Any

import httpx
import numpy as np
from PIL import Image
from views_helpers import SOBEL_X, SOBEL_Y, convolve_array, gray_input, open_view, sample_png, stage

VIEW = "im2col"


def _grid(table: Any) -> np.ndarray:
    """A number grid's exact values (data-v) as an array of its rows × columns."""
    rows = table.evaluate("t => [...t.rows].map(r => [...r.cells].map(c => Number(c.dataset.v)))")
    return np.array(rows, dtype=np.float64)


def test_im2col_product_equals_the_api_on_the_crop(page: Any, server_url: str, shot: Any) -> None:
    open_view(page, server_url, VIEW)
    root = page.locator(f'section[data-view="{VIEW}"]')
    cy = int(root.locator("[data-role=cy]").input_value())
    cx = int(root.locator("[data-role=cx]").input_value())
    crop = _grid(root.locator("[data-role=crop-grid] table").first)
    n = crop.shape[0]
    assert crop.shape == (6, 6)
    image = gray_input(server_url, max_side=128)
    np.testing.assert_array_equal(crop, image[cy : cy + n, cx : cx + n])

    api = stage(
        convolve_array(
            server_url,
            [crop.tolist()],
            {"kernel": [[SOBEL_X], [SOBEL_Y]], "bias": [0, 0], "pad": 0, "stride": 1},
        ),
        "conv",
    )[0]
    patches = _grid(root.locator(".vw-matmul table").first)
    assert patches.shape == (16, 9)  # (OH·OW, C·FH·FW) for a 6×6 crop, 3×3 filters
    np.testing.assert_array_equal(patches[5], crop[1:4, 1:4].ravel())  # row 5 = position (1, 1)
    product = _grid(root.locator("[data-role=product] table"))
    assert product.shape == (16, 2)
    for f in range(2):
        np.testing.assert_allclose(product[:, f].reshape(4, 4), api[f], atol=1e-5)
        np.testing.assert_allclose(
            _grid(root.locator(f'[data-role="reshaped-{f}"] table')), api[f], atol=1e-5
        )
    assert float(root.locator("[data-role=check]").get_attribute("data-diff")) < 1e-5

    # Whole image: sizes from the API's geometry, float32 bytes.
    h, w = Image.open(io.BytesIO(sample_png(server_url))).size[::-1]
    geo = httpx.get(
        f"{server_url}/api/geometry",
        params={"h": h, "w": w, "fh": 3, "fw": 3, "stride": 1, "pad": 0},
    ).json()
    rows = geo["out_h"] * geo["out_w"]
    got = [
        int(b)
        for b in root.locator("[data-role=full-list] li").evaluate_all(
            "ls => ls.map(l => l.dataset.bytes)"
        )
    ]
    assert got == [4 * h * w, 4 * rows * 9, 4 * 9 * 2, 4 * rows * 2]
    assert f"{rows} × 9" in root.locator("[data-role=full-list]").inner_text()
    shot(page, "views-im2col-en", full_page=True)
