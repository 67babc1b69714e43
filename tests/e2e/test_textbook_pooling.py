"""Textbook mode of the pooling view (issue 12, points 1 and 5): slide 15 (2×2 max pooling,
stride 2) and slide 16 (a 1-element shift) from the page in English and Japanese, editable
input cells, one Tab stop per pooled grid, and the shift experiment's stated measure."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from textbook_helpers import check_viewports, grid, grid_text, open_textbook
from views_helpers import runs, shift_experiment, stage, wait_runs

VIEW = "pooling"
SLIDE15_IN = [[1, 2, 1, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 4, 0, 1]]
SLIDE15_OUT = [[2, 3], [4, 2]]  # ../shared/seed/SUMMARY.md, worked example 4
BEFORE = [
    [1, 2, 3, 0, 7, 2],
    [0, 9, 2, 3, 0, 1],
    [3, 0, 1, 2, 3, 0],
    [2, 3, 0, 1, 2, 3],
    [1, 2, 3, 0, 1, 2],
    [6, 1, 2, 3, 8, 1],
]
AFTER = [
    [1, 1, 2, 3, 0, 7],
    [0, 0, 9, 2, 3, 0],
    [3, 3, 0, 1, 2, 3],
    [2, 2, 3, 0, 1, 2],
    [1, 1, 2, 3, 0, 1],
    [0, 6, 1, 2, 3, 8],
]
SLIDE16_OUT = [[9, 7], [6, 8]]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_slide15_max_pooling_2x2_stride_2(page: Any, server_url: str, lang: str) -> None:
    root = open_textbook(page, server_url, VIEW, "slide15", lang)
    assert grid(root, "book-input").tolist() == SLIDE15_IN
    assert grid(root, "book-max").tolist() == SLIDE15_OUT
    assert grid_text(root, "book-max") == [["2", "3"], ["4", "2"]]
    avg = np.array(SLIDE15_IN, dtype=np.float32).reshape(2, 2, 2, 2).mean(axis=(1, 3))
    np.testing.assert_allclose(grid(root, "book-avg"), avg)
    assert root.locator("[data-role=book-input] td.vw-argmax").count() == 4


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_slide16_shift_by_one_keeps_every_pooled_output(
    page: Any, server_url: str, lang: str
) -> None:
    root = open_textbook(page, server_url, VIEW, "slide16", lang)
    assert grid(root, "book-before").tolist() == BEFORE
    assert grid(root, "book-after").tolist() == AFTER
    assert grid(root, "book-pool-before").tolist() == SLIDE16_OUT
    assert grid(root, "book-pool-after").tolist() == SLIDE16_OUT
    pool = root.locator("[data-role=book-pool-same]")
    assert (pool.get_attribute("data-same"), pool.get_attribute("data-total")) == ("4", "4")
    assert "100.0" in pool.inner_text()
    same_in = int((np.array(BEFORE) == np.array(AFTER)).sum())
    raw = root.locator("[data-role=book-input-same]")
    assert int(raw.get_attribute("data-same")) == same_in < 36
    assert f"{same_in}" in raw.inner_text() and "36" in raw.inner_text()


def test_editing_the_book_input_recomputes(page: Any, server_url: str) -> None:
    root = open_textbook(page, server_url, VIEW, "slide15")
    root.locator('[data-role=book-input] td[tabindex="0"]').focus()
    page.keyboard.press("ArrowDown")
    n = runs(page, VIEW)
    page.keyboard.type("9")
    page.keyboard.press("Enter")
    wait_runs(page, VIEW, n)
    assert grid(root, "book-max").tolist() == [[9, 3], [4, 2]]


def test_pooled_grids_are_one_tab_stop_each(page: Any, server_url: str) -> None:
    root, shifted = shift_experiment(page, server_url)
    before, after = shifted(0), shifted(1)

    def share(name: str) -> tuple[int, int]:
        a, b = stage(before, name), stage(after, name)
        return int(np.isclose(a, b, rtol=1e-6, atol=1e-6).sum()), a.size

    conv, pool = share("conv"), share("pool")
    for role, (same, total) in (("conv-count", conv), ("pool-count", pool)):
        li = root.locator(f"[data-role={role}]")
        assert (int(li.get_attribute("data-same")), int(li.get_attribute("data-total"))) == (
            same,
            total,
        )
        assert f"{same} " in li.inner_text() and "identical" in li.inner_text()
    shows = pool[0] / pool[1] > conv[0] / conv[1]
    verdict = root.locator("[data-role=shift-verdict]")
    assert verdict.get_attribute("data-shows") == str(shows).lower()
    if not shows:
        assert "does not show" in verdict.inner_text()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_axe_and_screenshots(browser: Any, server_url: str, axe: Any, shot: Any, lang: str) -> None:
    def check(page: Any) -> None:
        root = open_textbook(page, server_url, VIEW, "slide16", lang)
        assert grid(root, "book-pool-after").tolist() == SLIDE16_OUT

    check_viewports(browser, axe, shot, VIEW, f"textbook-pooling-{lang}", check)
