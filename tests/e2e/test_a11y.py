"""Accessibility in a real browser (issue 11, point 8): axe-core on every tab in English and
Japanese, no horizontal scrolling and a compact header on a 390×844 phone, 11×11 kernel grids
that fit, and screenshots at 1024×768, 1280×720 and 390×844 in both languages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

VIEWS = ["lab", "network", "conv3d", "batch", "im2col", "pooling", "sliding", "structure"]
LANGS = ["en", "ja"]
BLOCKING = {"moderate", "serious", "critical"}  # the issue asks serious+; moderate holds too
PHONE = {"width": 390, "height": 844}
PHONE_HEADER_MAX_PX = 120


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """open_page(viewport, bypass_csp=False) -> a fresh page of that size; console errors asserted
    empty. axe needs bypass_csp=True: the page's CSP (script-src 'self') refuses the injected
    axe-core script, and axe is a test tool, never served to users."""
    contexts: list[Any] = []
    errors: list[str] = []

    def _open(viewport: dict[str, int], *, bypass_csp: bool = False) -> Any:
        ctx = browser.new_context(viewport=viewport, locale="en-US", bypass_csp=bypass_csp)
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}")
              if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        return pg

    yield _open
    for ctx in contexts:
        ctx.close()
    assert not errors, "console errors on the page:\n" + "\n".join(errors)


def goto(pg: Any, server_url: str, view: str, lang: str) -> None:
    """Open one tab with the shapes sample and wait until its first result is drawn."""
    pg.goto(f"{server_url}/?view={view}&lang={lang}&img=shapes")
    pg.wait_for_selector("body[data-ready=true]", timeout=30000)
    if view == "lab":
        pg.wait_for_selector("#lab-pipeline[data-renders]:not([data-renders='0'])", timeout=30000)
    elif view != "network":
        pg.wait_for_selector(f"section[data-view={view}][data-runs]", timeout=30000)
    assert pg.evaluate("() => document.documentElement.lang") == lang


def describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['impact']}: {v['id']} ({v['help']}) at "
                     + "; ".join(n["target"] for n in v["nodes"][:4]) for v in violations)


@pytest.mark.parametrize("lang", LANGS)
def test_axe_every_tab(open_page: Any, server_url: str, axe: Any, lang: str) -> None:
    """No moderate, serious or critical axe violation on any tab; none at all on the lab."""
    page = open_page({"width": 1280, "height": 720}, bypass_csp=True)
    found: dict[str, list[dict]] = {}
    for view in VIEWS:
        goto(page, server_url, view, lang)
        found[view] = axe(page)
    assert not found["lab"], "lab:\n" + describe(found["lab"])
    blocking = {v: [x for x in vs if x["impact"] in BLOCKING] for v, vs in found.items()}
    assert not any(blocking.values()), "\n".join(
        f"{v}:\n{describe(vs)}" for v, vs in blocking.items() if vs)


@pytest.mark.parametrize("lang", LANGS)
def test_phone_no_sideways_scroll_compact_header(open_page: Any, server_url: str, shot: Any,
                                                 lang: str) -> None:
    """390×844: no tab scrolls sideways, the header is at most 120 px high, the tab is on screen."""
    pg = open_page(PHONE)
    for view in VIEWS:
        goto(pg, server_url, view, lang)
        m = pg.evaluate("""() => ({ sw: document.scrollingElement.scrollWidth, iw: innerWidth,
            header: document.querySelector('.app-header').getBoundingClientRect().height })""")
        assert m["sw"] <= m["iw"] + 1, f"{view} ({lang}) scrolls sideways: {m}"
        assert m["header"] <= PHONE_HEADER_MAX_PX, f"{view} ({lang}) header {m['header']} px"
        tab = pg.locator(f"#tab-{view}")
        assert tab.get_attribute("aria-selected") == "true"
        box = tab.bounding_box()
        assert box is not None and box["x"] >= -1 and box["x"] + box["width"] <= m["iw"] + 1, (
            f"the selected tab {view} is off-screen: {box}")
        shot(pg, f"a11y-{lang}-390x844-{view}")


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 720}, PHONE],
                         ids=["1280", "phone"])
def test_kernel_grid_11x11_fits(open_page: Any, server_url: str, shot: Any,
                                viewport: dict[str, int]) -> None:
    """The lab's kernel editor at 11×11: every cell inside the viewport and inside its card."""
    pg = open_page(viewport)
    goto(pg, server_url, "lab", "en")
    pg.select_option("#lab-kh", "11")
    pg.select_option("#lab-kw", "11")
    cells = pg.locator("#lab-kernel-grid input")
    cells.nth(120).wait_for(timeout=10000)
    assert cells.count() == 121
    m = pg.evaluate("""() => {
        const grid = document.querySelector('#lab-kernel-grid');
        const cells = [...grid.querySelectorAll('input')].map((c) => c.getBoundingClientRect());
        let clip = document.documentElement.getBoundingClientRect();
        for (let p = grid; p && p !== document.body; p = p.parentElement) {
            const s = getComputedStyle(p);
            if (s.overflowX !== 'visible') {
                const b = p.getBoundingClientRect();
                clip = { left: Math.max(b.left, clip.left ?? b.left),
                         right: Math.min(b.right, clip.right ?? b.right) };
            }
        }
        return { left: Math.min(...cells.map((c) => c.left)),
                 right: Math.max(...cells.map((c) => c.right)),
                 minWidth: Math.min(...cells.map((c) => c.width)),
                 clipLeft: Math.max(clip.left, 0), clipRight: Math.min(clip.right, innerWidth),
                 sw: document.scrollingElement.scrollWidth, iw: innerWidth };
    }""")
    shot(pg, f"a11y-lab-kernel-11x11-{viewport['width']}")
    assert m["left"] >= m["clipLeft"] - 1 and m["right"] <= m["clipRight"] + 1, m
    assert m["minWidth"] >= 24, m
    assert m["sw"] <= m["iw"] + 1, m


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", [(1024, 768), (1280, 720), (390, 844)],
                         ids=["1024x768", "1280x720", "390x844"])
def test_screenshots(open_page: Any, server_url: str, shot: Any, lang: str,
                     size: tuple[int, int]) -> None:
    """Screenshots of every tab at three sizes, in English and Japanese (look at them)."""
    w, h = size
    pg = open_page({"width": w, "height": h})
    for view in VIEWS:
        goto(pg, server_url, view, lang)
        shot(pg, f"a11y-{lang}-{w}x{h}-{view}")
