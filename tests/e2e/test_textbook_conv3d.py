"""Textbook mode of the 3-D convolution view (issue 12, points 1 and 5): the slides 11–13 example
(3 channels, FN = 2 filters, FN = 2 biases) as numbers from the page, the probed position marked
on every map, and the readout beside the maps at 1280×720."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from textbook_helpers import check_viewports, grid, open_textbook
from views_helpers import open_view, runs, wait_runs

VIEW = "conv3d"
F = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]])
X0 = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]])
X = np.stack([X0, (X0 + 1) % 4, 3 - X0])  # (C, H, W) as lib/textbook.js builds it
W = np.stack(
    [
        np.stack([F, F, F]),
        np.stack([F, [[0, 0, 0], [0, 1, 0], [0, 0, 0]], [[1, 0, 0], [0, 0, 0], [0, 0, -1]]]),
    ]
)  # (FN, C, FH, FW)
B = [3, 0]


def _xcorr(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """A naive cross-correlation of one (H, W) channel with one (FH, FW) kernel, no padding."""
    oh, ow = x.shape[0] - w.shape[0] + 1, x.shape[1] - w.shape[1] + 1
    return np.array(
        [
            [(x[i : i + w.shape[0], j : j + w.shape[1]] * w).sum() for j in range(ow)]
            for i in range(oh)
        ]
    )


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_slides_11_to_13_numbers(page: Any, server_url: str, lang: str) -> None:
    root = open_textbook(page, server_url, VIEW, "slides11", lang)
    for c in range(3):
        assert grid(root, f"book-in-{c}").tolist() == X[c].tolist()
    assert grid(root, "book-part-0-0").tolist() == [[15, 16], [6, 15]]  # slide 7
    for f in range(2):
        parts = [_xcorr(X[c], W[f, c]) for c in range(3)]
        for c in range(3):
            assert grid(root, f"book-part-{f}-{c}").tolist() == parts[c].tolist()
        assert grid(root, f"book-sum-{f}").tolist() == sum(parts).tolist()
        assert grid(root, f"book-out-{f}").tolist() == (sum(parts) + B[f]).tolist()
    assert root.locator("[data-role=blocks]").inner_text().count("(2, 3, 3, 3)") == 1
    # Editing an input value recomputes through the engine.
    root.locator('[data-role=book-in-0] td[tabindex="0"]').focus()
    n = runs(page, VIEW)
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    wait_runs(page, VIEW, n)
    x = X.copy()
    x[0, 0, 0] = 5
    out = sum(_xcorr(x[c], W[0, c]) for c in range(3)) + B[0]
    assert grid(root, "book-out-0").tolist() == out.tolist()


def test_the_probe_is_marked_on_every_map_and_the_readout_stays_beside(
    page: Any, server_url: str
) -> None:
    open_view(page, server_url, VIEW)  # 1280×720, the image, pad 1, stride 1, 3×3
    root = page.locator(f'section[data-view="{VIEW}"]')
    target = root.locator("[data-filter='1'] .vw-mapwrap[data-mark=out] canvas").last
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    target.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.5})
    y = int(root.locator('[data-role="probe-0"]').get_attribute("data-y"))
    x = int(root.locator('[data-role="probe-0"]').get_attribute("data-x"))
    outs = root.locator(".vw-mapwrap[data-mark=out]")
    assert outs.count() == 2 * 5  # 3 partials, the sum and the output per filter
    for i in range(outs.count()):
        assert (outs.nth(i).get_attribute("data-y"), outs.nth(i).get_attribute("data-x")) == (
            str(y),
            str(x),
        )
        assert outs.nth(i).locator(".vw-marker").bounding_box()["width"] > 0
    ins = root.locator(".vw-mapwrap[data-mark=in]")
    assert ins.count() == 3
    assert ins.first.get_attribute("data-y") == str(max(0, y - 1))  # its 3×3 window, pad 1
    # The readout is beside the maps and on screen while the clicked map is.
    readout = root.locator('[data-role="probe-1"]').bounding_box()
    assert readout["y"] >= 0 and readout["y"] + readout["height"] <= 720
    probe = root.locator("[data-role=probe]").bounding_box()
    maps = root.locator("[data-role=rows]").bounding_box()
    assert probe["x"] >= maps["x"] + maps["width"] - 1  # a column of its own, right of the maps


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_axe_and_screenshots(browser: Any, server_url: str, axe: Any, shot: Any, lang: str) -> None:
    def check(page: Any) -> None:
        root = open_textbook(page, server_url, VIEW, "slides11", lang)
        assert grid(root, "book-part-0-0").tolist() == [[15, 16], [6, 15]]

    check_viewports(browser, axe, shot, VIEW, f"textbook-conv3d-{lang}", check)
