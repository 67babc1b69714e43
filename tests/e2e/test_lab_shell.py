"""The page shell over HTTP (no browser): tabs for the views present, CSP-friendly markup,
static files, locales in both languages with the same keys; and a webcam snapshot in Chromium
with a fake camera."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path
from tests.e2e.lab_helpers import READY, renders, shapes, wait_render_after

ROOT = Path(__file__).resolve().parents[2]


def _keys(d: dict, prefix: str = "") -> set[str]:
    out: set[str] = set()
    for k, v in d.items():
        out |= _keys(v, f"{prefix}{k}.") if isinstance(v, dict) else {prefix + k}
    return out


def test_shell_markup_has_no_inline_script_style_or_handlers(server_url):
    r = httpx.get(f"{server_url}/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []   # no inline scripts
    assert re.findall(r"\son[a-z]+\s*=", html) == []                    # no on*="" handlers
    assert re.findall(r"\sstyle\s*=", html) == []                       # no inline styles
    views = re.findall(r'data-tab="([a-z0-9]+)"', html)
    assert views[0] == "lab"
    for v in views:
        assert (ROOT / "templates" / "views" / f"{v}.html").is_file()
        assert f'data-view="{v}"' in html
    assert 'src="/static/js/main.js"' in html and 'type="module"' in html
    assert httpx.get(f"{server_url}/favicon.ico").status_code == 200


def test_static_modules_vendor_and_locales_are_served(server_url):
    views = [p.stem for p in (ROOT / "templates" / "views").glob("*.html")]
    assert "lab" in views
    for path in ["js/main.js", *(f"js/views/{v}/index.js" for v in views), "js/lib/api.js",
                 "css/lab.css", "favicon.svg", "vendor/d3-color/src/index.js",
                 "vendor/d3-color/LICENSE"]:
        r = httpx.get(f"{server_url}/static/{path}")
        assert r.status_code == 200, path
    for ns in ("common", "lab"):
        en = httpx.get(f"{server_url}/static/locales/en/{ns}.json").json()
        ja = httpx.get(f"{server_url}/static/locales/ja/{ns}.json").json()
        assert _keys(en) == _keys(ja), ns
    # Every data-i18n key used in the shell and the lab exists in both languages.
    html = httpx.get(f"{server_url}/").text
    ja_keys = {f"{ns}.{k}" for ns in ("common", "lab")
               for k in _keys(json.loads((ROOT / "static/locales/ja" / f"{ns}.json").read_text()))}
    used = set(re.findall(r'data-i18n="((?:common|lab)\.[^"]+)"', html))
    used |= set(re.findall(r'data-i18n-attr="[a-z-]+:((?:common|lab)\.[^"]+)"', html))
    assert used and used <= ja_keys, used - ja_keys


def test_webcam_snapshot_with_a_fake_camera(playwright_instance, server_url):
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
    browser = playwright_instance.chromium.launch(executable_path=chromium_path(), args=args)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{server_url}/")
        page.wait_for_selector(READY)
        page.click("#lab-webcam")
        page.wait_for_selector("#lab-webcam-panel[data-live='true']")
        before = renders(page)
        page.click("#lab-snap")
        wait_render_after(page, before)
        C, H, W = shapes(page)["input"]
        assert C == 1 and max(H, W) == 256          # fitted into the working size (max_side)
        assert page.locator("#lab-webcam-panel").is_hidden()
        assert page.input_value("#lab-sample") == "" and "img=" not in page.url
        assert errors == []
    finally:
        browser.close()
