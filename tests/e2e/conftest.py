"""Browser-test fixtures: a real uvicorn on a random loopback port and Debian's Chromium.

Fixtures (see docs/contracts.md, "Browser tests"):
- ``server_url``: session scope; ``uvicorn app.main:app`` in a subprocess on a free 127.0.0.1 port,
  awaited by polling ``/api/health``.
- ``playwright_instance``: session scope; the sync Playwright (launch another browser with it).
- ``browser``: session scope; Chromium from ``CONVSCOPE_CHROMIUM`` or ``/usr/bin/chromium``
  through Playwright (``executable_path``). Skipped when missing, except when ``CI`` is set.
- ``page``: a fresh 1280x720 page; console errors and page errors are collected in
  ``page.console_errors`` and asserted empty at teardown (append to
  ``page.allowed_console_errors`` substrings that a test expects, e.g. a deliberate 422).
- ``shot(page, name)``: saves ``artifacts/screenshots/<name>.png`` and returns its path.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.live_server import live_server

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
STARTUP_TIMEOUT_S = 60.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e carries the e2e mark."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (no trailing slash) of a real uvicorn serving app.main:app."""
    log = tmp_path_factory.mktemp("uvicorn") / "server.log"
    with live_server("uvicorn", log, timeout_s=STARTUP_TIMEOUT_S) as server:
        yield server.url


def chromium_path() -> str:
    """Debian's Chromium (or CONVSCOPE_CHROMIUM); skip when missing, fail when CI is set."""
    exe = os.environ.get("CONVSCOPE_CHROMIUM", "/usr/bin/chromium")
    if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
        msg = f"Chromium not found at {exe} (run `make chromium` or set CONVSCOPE_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return exe


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[object]:
    """The one sync Playwright of the session (a second one cannot start inside it)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance: object) -> Iterator[object]:
    """Debian's Chromium driven by Playwright; never skipped when CI is set."""
    exe = chromium_path()
    b = playwright_instance.chromium.launch(  # type: ignore[attr-defined]
        executable_path=exe, args=CHROMIUM_ARGS)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh 1280x720 page; console errors / page errors must be empty at teardown."""
    context = browser.new_context(viewport={"width": 1280, "height": 720},  # type: ignore[attr-defined]
                                  locale="en-US")
    pg = context.new_page()
    errors: list[str] = []
    allowed: list[str] = []
    pg.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}")
          if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    pg.console_errors = errors
    pg.allowed_console_errors = allowed
    try:
        yield pg
    finally:
        context.close()
    unexpected = [e for e in errors if not any(a in e for a in allowed)]
    assert not unexpected, "console errors on the page:\n" + "\n".join(unexpected)


@pytest.fixture
def shot() -> Callable[[object, str], Path]:
    """shot(page, name) saves artifacts/screenshots/<name>.png (the viewport) and returns it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(pg: object, name: str, *, full_page: bool = False) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        pg.screenshot(path=str(path), full_page=full_page)  # type: ignore[attr-defined]
        return path

    return _shot


AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe() -> Callable[..., list[dict]]:
    """axe(page, include=None) injects node_modules/axe-core (tests only, never served to users)
    and returns axe's violations (the page's context needs bypass_csp=True: the CSP refuses
    the injected script) (each with id, impact, help, nodes' targets) for the page, or
    for the `include` CSS selector; hidden tab panels are not checked by axe."""
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core missing at {AXE_JS} (run `npm ci`)")

    def _axe(pg: object, include: str | None = None) -> list[dict]:
        pg.add_script_tag(path=str(AXE_JS))  # type: ignore[attr-defined]
        result = pg.evaluate(  # type: ignore[attr-defined]
            """async (include) => {
                const r = await window.axe.run(include ? { include: [include] } : document,
                    { resultTypes: ["violations"] });
                return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map((n) => ({ target: n.target.join(" "),
                        summary: n.failureSummary })) }));
            }""", include)
        return list(result)

    return _axe
