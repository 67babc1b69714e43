"""Textbook mode of the shape views (issue 12, point 1): slide 14's batch shapes, the im2col
shapes of section 7.4.3 and the book's networks of slides 4–5 / section 7.5, read from the page in
English and Japanese; the fields apply as typed and answer through the engine."""

from __future__ import annotations

import json
from typing import Any

import pytest
from textbook_helpers import VIEWPORTS, blocking, new_page, section
from views_helpers import open_view


def _book(page: Any, view: str, example: str, lang: str, server_url: str) -> Any:
    open_view(page, server_url, view, lang=lang)
    root = section(page, view)
    root.locator(f'[data-example="{example}"]').click()
    page.wait_for_function(
        'v => Number(document.querySelector(`section[data-view="${v}"] [data-role=book]`)'
        "?.dataset.runs || 0) > 0",
        arg=view,
    )
    return root


def _shape(root: Any) -> list[int]:
    return json.loads(root.locator("[data-role=book-shape]").get_attribute("data-shape"))


def _retype(page: Any, root: Any, view: str, field: str, value: str) -> None:
    """Type a new value (no blur) and wait for the panel's next computation."""
    sel = f'section[data-view="{view}"] [data-role=book]'
    n = page.eval_on_selector(sel, "p => Number(p.dataset.runs)")
    root.locator(f"[data-role=book-{field}]").fill(value)
    page.wait_for_function(
        "([s, n]) => Number(document.querySelector(s).dataset.runs) > n", arg=[sel, n]
    )


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_slide14_batch_shapes(page: Any, server_url: str, lang: str) -> None:
    root = _book(page, "batch", "slide14", lang, server_url)
    assert _shape(root) == [10, 30, 24, 24]
    text = root.locator("[data-role=book-shape]").inner_text()
    assert "(10, 1, 28, 28)" in text and "(30, 1, 5, 5)" in text and "(10, 30, 24, 24)" in text
    assert "(28 + 2·0 − 5) / 1 + 1 = 24" in root.locator("[data-role=book]").inner_text()
    _retype(page, root, "batch", "C", "3")
    assert _shape(root) == [10, 30, 24, 24]
    _retype(page, root, "batch", "P", "2")
    assert _shape(root) == [10, 30, 28, 28]  # padding 2 keeps 28×28 with a 5×5 filter


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_im2col_shapes_of_section_7_4_3(page: Any, server_url: str, lang: str) -> None:
    root = _book(page, "im2col", "x1", lang, server_url)
    assert _shape(root) == [9, 75]
    root.locator('[data-example="x2"]').click()
    page.wait_for_function(
        "() => document.querySelector('section[data-view=\"im2col\"] [data-role=book-shape]')"
        "?.dataset.shape === '[90,75]'"
    )
    assert "(90, 75)" in root.locator("[data-role=book-shape]").inner_text()
    _retype(page, root, "im2col", "S", "2")
    assert _shape(root) == [10 * 2 * 2, 75]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_books_networks(page: Any, server_url: str, lang: str) -> None:
    open_view(page, server_url, "structure", lang=lang)
    root = section(page, "structure")
    before = int(root.get_attribute("data-runs") or 0)
    root.locator('[data-example="simple-convnet"]').click()
    # a run after the click (pool1 alone may still be the default model's, e.g. color-vgg's)
    page.wait_for_function(
        "n => { const s = document.querySelector('section[data-view=\"structure\"]');"
        " return Number(s.dataset.runs || 0) > n && s.querySelector('[data-name=pool1]'); }",
        arg=before,
    )
    shapes = {
        n: json.loads(root.locator(f"[data-name={n}]").get_attribute("data-shape"))
        for n in ("input", "conv1", "pool1", "affine1")
    }
    assert shapes == {
        "input": [1, 28, 28],
        "conv1": [30, 24, 24],
        "pool1": [30, 12, 12],
        "affine1": [100],
    }
    assert "4320" in root.locator("[data-role=total]").inner_text().replace(",", "")


@pytest.mark.parametrize("view,example", [("batch", "slide14"), ("im2col", "x2")])
def test_axe_and_screenshots(
    browser: Any, server_url: str, axe: Any, shot: Any, view: str, example: str
) -> None:
    for lang in ("en", "ja"):
        for w, h in VIEWPORTS:
            page = new_page(browser, w, h)
            try:
                root = _book(page, view, example, lang, server_url)
                assert _shape(root)
                assert not blocking(axe(page, f'section[data-view="{view}"]'))
                shot(page, f"textbook-{view}-{lang}-{w}x{h}", full_page=(w == 1280))
            finally:
                page.context.close()


@pytest.mark.parametrize("view", ["batch", "im2col", "conv3d"])
def test_fields_apply_as_typed_without_leaving_them(page: Any, server_url: str, view: str) -> None:
    """Issue 12, point 5: typing in a field recomputes (debounced); no blur, no Enter needed."""
    from views_helpers import runs, wait_runs

    open_view(page, server_url, view)
    root = section(page, view)
    n = runs(page, view)
    root.locator("[data-role=stride]").fill("2")
    wait_runs(page, view, n)
    assert page.evaluate("() => document.activeElement.dataset.role") == "stride"
