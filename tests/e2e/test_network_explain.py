"""The network view's "Why this answer" and backward panels in a real browser, both languages,
three viewports: every explanation method draws its map and lists its steps, Grad-CAM lists
α_k beside the API's own numbers, maximisation shows the 9 sample patches, and the backward
panel shows dW next to its numerical gradient with the coverage counts."""

from __future__ import annotations

import httpx
import pytest

IDLE = "section[data-view=network][data-state=idle][data-label]"
VIEWPORTS = {"1024x768": (1024, 768), "1280x720": (1280, 720), "390x844": (390, 844)}


def _open(page, url: str, lang: str):  # type: ignore[no-untyped-def]
    page.goto(f"{url}/?view=network&lang={lang}")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector(IDLE)
    return page.locator("section[data-view=network]")


def _explain(page, section, method: str) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """Run `method` in the panel; (the request body the page sent, the API's answer)."""
    host = section.locator("[data-role=explain]")
    host.locator("[data-role=xpMethod]").select_option(method)
    with page.expect_response(lambda r: r.url.endswith("/explain")) as info:
        host.locator("[data-role=xpRun]").click()
    page.wait_for_selector(f"[data-role=explain][data-method={method}][data-state=idle]")
    return info.value.request.post_data_json, info.value.json()


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_gradcam_and_backward_panels(page, server_url: str, shot, lang: str,  # type: ignore[no-untyped-def]
                                     viewport: str) -> None:
    page.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS[viewport], strict=True)))
    section = _open(page, server_url, lang)
    sent, answer = _explain(page, section, "gradcam")
    host = section.locator("[data-role=explain]")
    rows = host.locator("[data-role=xpAlpha] tbody tr")
    assert rows.count() == 8
    model = section.locator("[data-role=model]").input_value()
    assert host.locator("canvas").count() >= 8  # map, 4 terms, sum, relu, overlay
    alpha = next(s["values"] for s in answer["steps"] if s["name"] == "alpha")
    k = max(range(len(alpha)), key=lambda i: abs(alpha[i]))  # the table's first row
    assert rows.nth(0).locator("th").inner_text() == f"k = {k}"
    assert float(rows.nth(0).locator("td").inner_text()) == pytest.approx(alpha[k], abs=1e-5)
    again = httpx.post(f"{server_url}/api/models/{model}/explain", json=sent).json()
    assert next(s["values"] for s in again["steps"] if s["name"] == "alpha") == alpha
    host.locator("[data-role=xpSteps]").scroll_into_view_if_needed()
    shot(page, f"explain-gradcam-{lang}-{viewport}")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")

    bw = section.locator("[data-role=backward]")
    bw.locator("[data-role=bwRun]").click()
    page.wait_for_selector("[data-role=backward][data-state=idle] [data-role=bwCheck]")
    assert "✓" in bw.locator("[data-role=bwCheck]").inner_text()
    cover = [[c.inner_text() for c in r.locator("td").all()]
             for r in bw.locator("[data-role=bwCoverage] tbody tr").all()]
    assert cover[0] == ["1", "2", "3", "3", "2", "1"] and len(cover) == 6
    title = "逆伝播" if lang == "ja" else "backward pass"
    assert title in section.inner_text()
    bw.locator("[data-role=bwDx]").scroll_into_view_if_needed()
    shot(page, f"backward-{lang}-{viewport}")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_saliency_occlusion_and_maximize_in_the_page(page, server_url: str, shot,  # type: ignore[no-untyped-def]
                                                  lang: str) -> None:
    section = _open(page, server_url, lang)
    model = section.locator("[data-role=model]").input_value()
    host = section.locator("[data-role=explain]")
    for method in ("saliency", "occlusion", "maximize"):
        _, answer = _explain(page, section, method)
        assert host.locator("[data-role=xpSteps] li").count() == len(answer["steps"]) >= 2
        host.locator("[data-role=xpOut]").scroll_into_view_if_needed()
        shot(page, f"explain-{method}-{lang}")
    assert host.locator("[data-role=xpPatches] canvas").count() == 9
    label = int(section.get_attribute("data-label"))
    text = host.locator("[data-role=xpOut] p").first.inner_text()
    assert str(label) in text
    ja_word = {"en": "Explaining class", "ja": "クラス"}[lang]
    assert ja_word in text
    r = httpx.get(f"{server_url}/api/models/{model}")
    assert r.status_code == 200 and r.json()["conv_layers"]


def test_maximize_on_the_colour_model_draws_rgb(page, server_url: str, shot) -> None:  # type: ignore[no-untyped-def]
    """color-vgg: the maximised input and the 9 patches (synthetic colour pictures) are drawn as
    colour images: some pixel's R, G and B differ."""
    page.goto(f"{server_url}/?view=network&network-model=color-vgg")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector(IDLE)
    section = page.locator("section[data-view=network]")
    _, answer = _explain(page, section, "maximize")
    assert answer["shape"] == [3, 32, 32] and len(answer["patches"]) == 9
    host = section.locator("[data-role=explain]")
    assert host.locator("[data-role=xpPatches] canvas").count() == 9
    coloured = host.locator("[data-role=xpOut] canvas").evaluate_all(
        "cs => cs.map(c => { const d = c.getContext('2d')"
        ".getImageData(0, 0, c.width, c.height).data; for (let i = 0; i < d.length; i += 4)"
        " if (d[i] !== d[i + 1] || d[i + 1] !== d[i + 2]) return true; return false; })")
    assert coloured[0] and sum(coloured[1:]) >= 5  # the image and most patches are in colour
    card = httpx.get(f"{server_url}/api/models/color-vgg").json()["card"]["data"]["classes"]
    first = answer["patches"][0]
    assert host.locator("[data-role=xpPatches] figcaption").first.inner_text().startswith(
        card[first["label"]] + ":")  # the class's name, not "digit 6"
    host.locator("[data-role=xpOut]").scroll_into_view_if_needed()
    shot(page, "explain-maximize-color-vgg")
