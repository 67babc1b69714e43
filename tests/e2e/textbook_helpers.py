"""Helpers of the textbook-mode browser tests: open a view in textbook mode, read number grids."""

from __future__ import annotations

from typing import Any

import numpy as np
from views_helpers import open_view, runs, wait_runs

VIEWPORTS = [(1024, 768), (1280, 720), (390, 844)]
BLOCKING = {"serious", "critical"}


def section(page: Any, view: str) -> Any:
    return page.locator(f'section[data-view="{view}"]')


def load_example(page: Any, view: str, example: str) -> None:
    """Click the view's textbook button `example` and wait for the run it starts."""
    n = runs(page, view)
    section(page, view).locator(f'[data-example="{example}"]').click()
    wait_runs(page, view, n)


def open_textbook(page: Any, server_url: str, view: str, example: str, lang: str = "en") -> Any:
    """Open `view` in `lang`, load the book's `example`; → the view's section locator."""
    open_view(page, server_url, view, lang=lang)
    load_example(page, view, example)
    return section(page, view)


def grid(root: Any, role: str) -> np.ndarray:
    """The numbers (data-v) of the grid inside [data-role=role], as a 2-D array."""
    rows = root.locator(f"[data-role={role}] table").first.evaluate(
        "t => [...t.rows].map(r => [...r.cells].map(c => Number(c.dataset.v)))"
    )
    return np.array(rows)


def grid_text(root: Any, role: str) -> list[list[str]]:
    """The numbers of the grid as the page prints them (what a student reads)."""
    return root.locator(f"[data-role={role}] table").first.evaluate(
        "t => [...t.rows].map(r => [...r.cells].map(c => c.textContent.trim()))"
    )


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v["impact"] in BLOCKING]


def new_page(browser: Any, width: int = 1280, height: int = 720) -> Any:
    """A fresh page (CSP bypassed so axe can be injected); close its context when done."""
    ctx = browser.new_context(
        viewport={"width": width, "height": height}, locale="en-US", bypass_csp=True
    )
    return ctx.new_page()


def check_viewports(browser: Any, axe: Any, shot: Any, view: str, name: str,
                    open_and_check: Any) -> None:
    """At each of VIEWPORTS: a fresh page, `open_and_check(page)` (opens the example and asserts
    its numbers), then no serious or critical axe finding in the view and a full-page screenshot
    `name`-WxH."""
    for w, h in VIEWPORTS:
        page = new_page(browser, w, h)
        try:
            open_and_check(page)
            assert not blocking(axe(page, f'section[data-view="{view}"]'))
            shot(page, f"{name}-{w}x{h}", full_page=True)
        finally:
            page.context.close()
