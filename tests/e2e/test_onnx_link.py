"""A kept training run links /?view=network&model=onnx-… (branch trainkeep): that link opens the
imported model in the network view (layer table, id in the page), and the page remembers the id
for GET /api/models?include=; EN and JA at 1280×720 and 390×844, axe clean on the panel."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.onnx_import.fixtures import vgg64

SECTION = "section[data-view=network]"


@pytest.fixture(scope="module")
def vgg_id(server_url: str) -> str:
    data = vgg64().SerializeToString()
    r = httpx.post(f"{server_url}/api/models", files={"file": ("vgg.onnx", data)},
                   data={"name": "link vgg"}, timeout=60)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize(("w", "h"), [(1280, 720), (390, 844)])
def test_model_link_opens_imported_model(browser, server_url: str, vgg_id: str, shot, axe,  # type: ignore[no-untyped-def]
                                         lang: str, w: int, h: int) -> None:
    ctx = browser.new_context(viewport={"width": w, "height": h}, locale="en-US", bypass_csp=True)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{server_url}/?view=network&lang={lang}&model={vgg_id}")
        page.wait_for_selector("body[data-ready=true]")
        page.wait_for_selector(f"{SECTION}[data-onnx='{vgg_id}']")
        panel = page.locator(f"{SECTION} [data-role=onnxImport]")
        assert "link vgg" in panel.locator("[data-role=onnxCaption]").inner_text()
        text = panel.inner_text()
        assert "bn1" in text and "BatchNormalization" in text
        held = json.loads(page.evaluate("localStorage.getItem('convscope.onnx.held')"))
        assert held == [vgg_id]
        listed = httpx.get(f"{server_url}/api/models", params={"include": ",".join(held)}).json()
        assert listed["models"][-1]["id"] == vgg_id
        assert listed["models"][-1]["input_shape"] == [3, 64, 64]
        panel.scroll_into_view_if_needed()
        shot(page, f"onnx-link-{lang}-{w}x{h}")
        assert axe(page, f"{SECTION} [data-role=onnxImport]") == []
    finally:
        ctx.close()
    assert errors == []


def test_non_onnx_model_param_is_ignored(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server_url}/?view=network&model=simple-convnet")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector(f"{SECTION}[data-onnx-state=idle]")
    assert page.locator(f"{SECTION}").get_attribute("data-onnx") is None
