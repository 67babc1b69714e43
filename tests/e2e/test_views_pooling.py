"""Pooling view (slides 15–16): max/avg values against the API, and the shift experiment's counts of
changed values equal what two API calls (shifted and unshifted input) give."""

from __future__ import annotations

from typing import Any

import numpy as np
from views_helpers import (
    SHIFT_MARGIN,
    convolve_array,
    gray_input,
    open_view,
    runs,
    shift_experiment,
    stage,
    wait_runs,
)

VIEW = "pooling"


def _changed(a: np.ndarray, b: np.ndarray) -> int:
    """Values that differ beyond float32 rounding: |a − b| > 1e-6 · max(1, |a|, |b|)."""
    tol = 1e-6 * np.maximum(1, np.maximum(np.abs(a), np.abs(b)))
    return int((np.abs(a - b) > tol).sum())


def test_shift_experiment_counts_equal_two_api_calls(page: Any, server_url: str, shot: Any) -> None:
    root, shifted = shift_experiment(page, server_url)
    before = shifted(0)
    for k in (2, 1):
        n = runs(page, VIEW)
        root.locator(f'[data-shift="{k}"]').click()
        wait_runs(page, VIEW, n)
        after = shifted(k)
        conv_changed = _changed(stage(before, "conv"), stage(after, "conv"))
        pool_changed = _changed(stage(before, "pool"), stage(after, "pool"))
        conv = root.locator("[data-role=conv-count]")
        pool = root.locator("[data-role=pool-count]")
        assert int(conv.get_attribute("data-changed")) == conv_changed
        assert int(pool.get_attribute("data-changed")) == pool_changed
        assert int(pool.get_attribute("data-total")) == stage(after, "pool").size
        assert (
            f"{pool_changed} " in pool.inner_text()
            and f"{stage(after, 'pool').size}" in pool.inner_text()
        )
        assert pool_changed > 0 and conv_changed > 0
    shot(page, "views-pooling-en", full_page=True)

    n = runs(page, VIEW)
    root.locator('[data-shift="0"]').click()
    wait_runs(page, VIEW, n)
    assert root.locator("[data-role=pool-count]").get_attribute("data-changed") == "0"


def test_max_and_average_pooling_against_the_api(page: Any, server_url: str) -> None:
    open_view(page, server_url, VIEW)
    root = page.locator(f'section[data-view="{VIEW}"]')
    x = gray_input(server_url, max_side=96)[:, SHIFT_MARGIN:]
    spec = {"kernel": "sobel-x", "pad": 1, "activation": "relu"}
    mx = stage(convolve_array(server_url, x, {**spec, "pool": {"type": "max"}}), "pool")[0, 0]
    av = stage(convolve_array(server_url, x, {**spec, "pool": {"type": "avg"}}), "pool")[0, 0]
    title = root.locator("[data-role=grids] h4").first.inner_text()
    y0, x0 = (int(v) for v in title.split("(")[1].split(")")[0].split(","))
    read = "t => [...t.rows].map(r => [...r.cells].map(c => Number(c.dataset.v)))"
    got_max = np.array(root.locator("[data-role=max-grid] table").evaluate(read))
    got_avg = np.array(root.locator("[data-role=avg-grid] table").evaluate(read))
    np.testing.assert_array_equal(got_max, mx[y0 // 2 : y0 // 2 + 4, x0 // 2 : x0 // 2 + 4])
    np.testing.assert_array_equal(got_avg, av[y0 // 2 : y0 // 2 + 4, x0 // 2 : x0 // 2 + 4])
    assert got_max.max() > 0
    # The marked source of each max is in its window and holds the max.
    region = np.array(root.locator("[data-role=grids] table").first.evaluate(read))
    marked = root.locator("[data-role=grids] table").first.locator("td.vw-argmax")
    assert marked.count() == 16
    for i in range(marked.count()):
        r, c = (
            int(marked.nth(i).get_attribute("data-r")),
            int(marked.nth(i).get_attribute("data-c")),
        )
        assert region[r, c] == got_max[r // 2, c // 2]
    # Picking a pooled value outlines its window (4 cells) and its source (1 cell).
    root.locator("[data-role=max-grid] td").nth(5).click()
    assert root.locator("[data-role=grids] table").first.locator("td.vw-hl").count() == 4
    assert root.locator("[data-role=grids] table").first.locator("td.vw-src").count() == 1
