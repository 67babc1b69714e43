"""Sliding-window view (slides 6–10): after k steps the page shows the API's k-th output value."""

from __future__ import annotations

from typing import Any

import numpy as np
from views_helpers import convolve_array, gray_input, number, open_view, runs, stage, wait_runs

VIEW = "sliding"
BOOK = [[2, 0, 1], [0, 1, 2], [1, 0, 2]]


def _input(root: Any) -> np.ndarray:
    """The unpadded input the page shows (cells not marked as padding)."""
    rows = root.locator("[data-role=input-grid] table").evaluate(
        "t => [...t.rows].map(r => [...r.cells].filter(c => !c.dataset.pad)"
        ".map(c => Number(c.dataset.v)))"
        ".filter(r => r.length)"
    )
    return np.array(rows)


def _step(page: Any, root: Any, k: int) -> None:
    for i in range(k):
        root.locator("[data-role=step]").click()
        page.wait_for_function(
            "([s, n]) => document.querySelector(s).dataset.k === String(n)",
            arg=[f'section[data-view="{VIEW}"] [data-role=status]', i + 1],
        )


def test_after_k_steps_the_kth_value_is_the_apis(page: Any, server_url: str, shot: Any) -> None:
    open_view(page, server_url, VIEW)
    root = page.locator(f'section[data-view="{VIEW}"]')
    x = _input(root)
    assert x.shape == (7, 7) and x.max() <= 255 and x.min() >= 0 and x.std() > 0
    api = stage(convolve_array(server_url, x, {"kernel": BOOK, "pad": 1, "stride": 1}), "conv")[
        0, 0
    ]
    assert api.shape == (7, 7)
    k = 10
    _step(page, root, k)
    cells = root.locator("[data-role=output-grid] td")
    assert abs(number(cells.nth(k - 1).inner_text()) - api.flat[k - 1]) < 0.006
    assert float(cells.nth(k - 1).get_attribute("data-v")) == api.flat[k - 1]
    assert cells.nth(k).inner_text() == "·"  # not computed yet
    calc = root.locator("[data-role=calc]")
    assert float(calc.get_attribute("data-api")) == api.flat[k - 1]
    assert abs(float(calc.get_attribute("data-sum")) - api.flat[k - 1]) < 1e-3
    # The window of step k: output (1, 2) with stride 1 → padded rows 1..3, columns 2..4.
    marked = root.locator("[data-role=input-grid] td.vw-hl")
    assert marked.count() == 9
    assert (marked.first.get_attribute("data-r"), marked.first.get_attribute("data-c")) == (
        "1",
        "2",
    )
    assert root.locator("[data-role=status]").inner_text() == f"Step {k} of 49"
    shot(page, "views-sliding-en", full_page=True)


def test_stride_two_skips_positions(page: Any, server_url: str) -> None:
    open_view(page, server_url, VIEW)
    root = page.locator(f'section[data-view="{VIEW}"]')
    n = runs(page, VIEW)
    root.locator("[data-role=stride]").fill("2")
    root.locator("[data-role=stride]").press("Tab")
    wait_runs(page, VIEW, n)
    x = _input(root)
    resp = convolve_array(server_url, x, {"kernel": BOOK, "pad": 1, "stride": 2})
    api = stage(resp, "conv")[0, 0]
    assert api.shape == (4, 4)
    assert root.locator("[data-role=output-grid] tr").count() == 4
    _step(page, root, 6)
    assert (
        float(root.locator("[data-role=output-grid] td").nth(5).get_attribute("data-v"))
        == api.flat[5]
    )
    marked = root.locator("[data-role=input-grid] td.vw-hl")  # output (1, 1) → padded (2, 2)
    assert (marked.first.get_attribute("data-r"), marked.first.get_attribute("data-c")) == (
        "2",
        "2",
    )
    assert resp["geometry"]["formula_h"] in root.locator("[data-role=formula]").inner_text()


def test_views_follow_the_image_chosen_in_the_lab(page: Any, server_url: str) -> None:
    open_view(page, server_url, VIEW)
    page.locator('[role=tab][data-tab="lab"]').click()
    page.locator("#lab-sample").select_option("checkerboard")
    page.locator(f'[role=tab][data-tab="{VIEW}"]').click()
    root = page.locator(f'section[data-view="{VIEW}"]')
    wait_runs(page, VIEW, 1)
    crop = _input(root)
    image = np.round(gray_input(server_url, "checkerboard", max_side=96) * 255)
    n = crop.shape[0]
    found = [
        (y, x)
        for y in range(image.shape[0] - n + 1)
        for x in range(image.shape[1] - n + 1)
        if np.array_equal(image[y : y + n, x : x + n], crop)
    ]
    assert found, "the crop is not a window of the checkerboard sample"


def test_the_setup_is_kept_in_the_shareable_url(page: Any, server_url: str) -> None:
    open_view(
        page, server_url, VIEW, query="&sliding-stride=2&sliding-kernel=sobel-x&sliding-pad=0"
    )
    root = page.locator(f'section[data-view="{VIEW}"]')
    assert root.locator("[data-role=kernel]").input_value() == "sobel-x"
    x = _input(root)
    assert x.shape == (7, 7)  # no padding cells
    api = stage(convolve_array(server_url, x, {"kernel": "sobel-x", "pad": 0, "stride": 2}), "conv")
    assert root.locator("[data-role=output-grid] tr").count() == api.shape[2] == 3
    n = runs(page, VIEW)
    root.locator("[data-role=pad]").fill("2")
    root.locator("[data-role=pad]").press("Tab")
    wait_runs(page, VIEW, n)
    assert "sliding-pad=2" in page.url and "sliding-stride=2" in page.url
    assert root.locator("[data-role=output-grid] tr").count() == 5  # (7 + 4 − 3) / 2 + 1
