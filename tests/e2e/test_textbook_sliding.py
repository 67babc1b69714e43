"""Textbook mode of the sliding-window view (issue 12, points 1 and 5): the book's slides 6–10
reproduced from the page, an editable keyboard grid (lib/numgrid.js), the running sum read out,
the first Play after typing, fields applied as typed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from textbook_helpers import check_viewports, grid, grid_text, load_example, open_textbook, section
from views_helpers import convolve_array, open_view, runs, stage, wait_runs

VIEW = "sliding"
BOOK_FILTER = [[2, 0, 1], [0, 1, 2], [1, 0, 2]]
INPUT4 = [[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]]
# The golden numbers of ../shared/seed/SUMMARY.md, "Worked examples".
SLIDE7 = [[18, 19], [9, 18]]
SLIDE8 = [[7, 12, 10, 2], [4, 15, 16, 10], [10, 6, 15, 6], [8, 10, 4, 3]]
SLIDE9 = [[15, 17, 15], [17, 15, 17], [15, 17, 15]]


def _step_to(page: Any, root: Any, k: int) -> None:
    for _ in range(k):
        before = int(root.locator("[data-role=status]").get_attribute("data-k"))
        root.locator("[data-role=step]").click()
        page.wait_for_function(
            "([s, n]) => document.querySelector(s).dataset.k === String(n)",
            arg=[f'section[data-view="{VIEW}"] [data-role=status]', before + 1],
        )


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_slide7_bias_3_gives_18_19_9_18_and_the_sum_is_written_out(
    page: Any, server_url: str, lang: str
) -> None:
    root = open_textbook(page, server_url, VIEW, "slide7", lang)
    assert grid(root, "input-grid").tolist() == INPUT4
    assert grid(root, "kernel-grid").tolist() == BOOK_FILTER
    assert grid(root, "output-grid").tolist() == SLIDE7  # the engine's numbers
    _step_to(page, root, 4)
    assert grid_text(root, "output-grid") == [["18", "19"], ["9", "18"]]  # what a student reads
    root.locator("[data-role=reset]").click()
    _step_to(page, root, 1)
    calc = root.locator("[data-role=calc]").inner_text()
    assert "1·2 + 2·0 + 3·1 + 0·0 + 1·1 + 2·2 + 3·1 + 0·0 + 1·2 = 15" in calc
    assert calc.endswith("+ 3 = 18")
    live = root.locator("[aria-live=polite]")
    assert live.locator("[data-role=calc]").count() == 1  # the step is read out
    root.locator("[data-role=back]").click()
    assert root.locator("[data-role=status]").get_attribute("data-k") == "0"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_slide8_padding_1_gives_the_4x4_output(page: Any, server_url: str, lang: str) -> None:
    root = open_textbook(page, server_url, VIEW, "slide8", lang)
    assert grid(root, "output-grid").tolist() == SLIDE8
    assert root.locator("[data-role=input-grid] td[data-pad]").count() == 36 - 16
    _step_to(page, root, 16)
    assert grid_text(root, "output-grid") == [[str(v) for v in row] for row in SLIDE8]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_slide9_stride_2_and_the_slide10_formula(page: Any, server_url: str, lang: str) -> None:
    root = open_textbook(page, server_url, VIEW, "slide9", lang)
    x = grid(root, "input-grid")
    assert x[0].tolist() == [1, 2, 3, 0, 1, 2, 3] and x[1].tolist() == [0, 1, 2, 3, 0, 1, 2]
    assert grid(root, "output-grid").tolist() == SLIDE9
    formula = root.locator("[data-role=formula]").inner_text()
    assert "(7 + 2·0 − 3) / 2 + 1 = 3" in formula
    _step_to(page, root, 2)  # output (0, 1): the window starts at column 2
    marked = root.locator("[data-role=input-grid] td.vw-hl")
    assert marked.count() == 9
    assert marked.first.get_attribute("data-c") == "2"
    calc = root.locator("[data-role=calc]").inner_text()
    assert "3·2 + 0·0 + 1·1 + 2·0 + 3·1 + 0·2 + 1·1 + 2·0 + 3·2 = 17" in calc
    assert calc.endswith("+ 0 = 17")


def test_grid_keyboard_one_tab_stop_arrows_typing(page: Any, server_url: str) -> None:
    root = open_textbook(page, server_url, VIEW, "slide7")
    for role in ("input-grid", "kernel-grid", "output-grid"):
        table = root.locator(f"[data-role={role}] [role=grid]")
        assert table.locator('td[tabindex="0"]').count() == 1
        assert table.locator("[role=gridcell]").first.get_attribute("aria-label")
    first = root.locator('[data-role=input-grid] td[tabindex="0"]')
    first.focus()
    page.keyboard.press("Tab")  # one Tab leaves the input grid for the filter grid
    active = "() => document.activeElement.closest('[data-role]')?.dataset.role"
    assert page.evaluate(active) == "kernel-grid"
    page.keyboard.press("Tab")
    assert page.evaluate(active) == "output-grid"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(active) == "input-grid"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    cell = "() => [document.activeElement.dataset.r, document.activeElement.dataset.c]"
    assert page.evaluate(cell) == ["1", "1"]
    label = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert "2" in label and "1" in label  # row 2, column 2 (1-based), value 1
    n = runs(page, VIEW)
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    wait_runs(page, VIEW, n)
    x = np.array(INPUT4)
    x[1, 1] = 5
    assert grid(root, "input-grid").tolist() == x.tolist()
    api = stage(convolve_array(server_url, x, {"kernel": BOOK_FILTER, "bias": 3}), "conv")[0, 0]
    assert grid(root, "output-grid").tolist() == api.tolist() == [[22, 19], [9, 26]]
    assert page.evaluate(cell) == ["1", "1"]  # the focus stays on the edited cell
    page.keyboard.press("Escape")
    # Escape while editing keeps the old value
    page.keyboard.type("7")
    page.keyboard.press("Escape")
    assert grid(root, "input-grid")[1, 1] == 5


def test_first_play_after_typing_plays_the_new_numbers(page: Any, server_url: str) -> None:
    root = open_textbook(page, server_url, VIEW, "slide7")
    root.locator("[data-role=speed]").evaluate(
        "e => { e.value = '8'; e.dispatchEvent(new Event('input')); }"
    )
    root.locator("[data-role=pad]").fill("1")  # no blur: applied as typed
    root.locator("[data-role=play]").click()  # at once, before the new run arrived
    page.wait_for_function(
        "s => document.querySelector(s).dataset.k === '16'",
        arg=f'section[data-view="{VIEW}"] [data-role=status]',
        timeout=20000,
    )
    assert root.locator("[data-role=status]").inner_text() == "Step 16 of 16"
    assert grid(root, "output-grid").tolist() == (np.array(SLIDE8) + 3).tolist()  # bias 3 kept


def test_fields_apply_as_typed(page: Any, server_url: str) -> None:
    root = open_textbook(page, server_url, VIEW, "slide7")
    n = runs(page, VIEW)
    root.locator("[data-role=bias]").fill("0")  # focus stays in the field
    wait_runs(page, VIEW, n)
    assert grid(root, "output-grid").tolist() == [[15, 16], [6, 15]]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_axe_and_screenshots(browser: Any, server_url: str, axe: Any, shot: Any, lang: str) -> None:
    def check(page: Any) -> None:
        root = open_textbook(page, server_url, VIEW, "slide7", lang)
        load_example(page, VIEW, "slide8")
        root.locator("[data-role=step]").click()

    check_viewports(browser, axe, shot, VIEW, f"textbook-sliding-{lang}", check)
    assert section  # keep the helper import used


def test_default_is_still_the_image_crop(page: Any, server_url: str) -> None:
    open_view(page, server_url, VIEW)
    root = section(page, VIEW)
    assert root.locator("[data-role=crop]").input_value() == "7"
    assert grid(root, "input-grid").shape == (9, 9)  # 7×7 with padding 1
