"""The lab on a projector (issue 11, points 2, 3, 7, 8): geometry of the default layout and of
projector mode at 1024×768 / 1280×720 in both languages (formula, maps and the inspector's whole
multiply-accumulate inside the viewport), 150 % zoom, working size in the URL, clicks at several
zooms, the magnifier, every invalid control at once, hatched shading, a learned filter's origin.
Screenshots: artifacts/screenshots/lab-view-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.lab_helpers import READY, open_lab, renders, test_image_png, wait_render_after

VIEWPORTS = [(1024, 768), (1280, 720)]
MAC = ["#lab-formula", "figure[data-stage='input'] .map",
       "figure.stage.large:not([data-stage='input']) .map",
       "#lab-inspector-body .matrix.patch", "#lab-inspector-body .matrix.kernel",
       "#lab-inspector-body .matrix.products", "#lab-inspector-body .eq-sum",
       "#lab-inspector-body .eq-bias", "#lab-inspector-body .eq-value",
       "#lab-inspector-body .server-check"]


def open_at(browser: Any, server_url: str, w: int, h: int, query: str, scale: float = 1) -> Any:
    ctx = browser.new_context(viewport={"width": w, "height": h}, device_scale_factor=scale,
                              locale="en-US")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    page.goto(f"{server_url}/{query}")
    page.wait_for_selector(READY, timeout=30000)
    return page


def click_conv_centre(page: Any) -> None:
    box = page.locator("figure[data-stage='conv'] canvas.map-canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.41, box["y"] + box["height"] * 0.43)
    page.wait_for_selector("#lab-inspector-body[data-stage='conv'] .server-check.ok")
    page.mouse.move(1, 1)   # the lens hides; the pinned pixel stays


def inside(page: Any, selector: str) -> dict[str, float]:
    vw, vh = page.viewport_size["width"], page.viewport_size["height"]
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= vw + 0.5 and box["y"] + box["height"] <= vh + 0.5, (
        selector, box, vw, vh)
    return box


@pytest.mark.parametrize("projector", [False, True], ids=["default", "projector"])
@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize(("w", "h"), VIEWPORTS, ids=["1024x768", "1280x720"])
def test_formula_maps_and_whole_mac_on_one_screen(browser, server_url, shot, w, h, lang, projector):
    query = f"?lang={lang}" + ("&proj=1" if projector else "")
    page = open_at(browser, server_url, w, h, query)
    try:
        click_conv_centre(page)
        assert page.evaluate("scrollY") == 0
        for sel in MAC:
            inside(page, sel)
        if (w, h) == (1280, 720) and not projector:   # the default layout on a projector
            for stage in ["input", "conv"]:
                box = page.locator(f"figure[data-stage='{stage}'] canvas.map-canvas").bounding_box()
                assert box["width"] >= 320, (stage, box)
        assert page.evaluate("document.documentElement.scrollWidth") <= w
        shot(page, f"lab-view-{w}x{h}-{lang}{'-projector' if projector else ''}")
        assert not page.errors
    finally:
        page.context.close()


def test_projector_mode_text_sizes_and_url(browser, server_url, shot):
    page = open_at(browser, server_url, 1280, 720, "?lang=ja")
    try:
        page.click("#projector-toggle")
        page.wait_for_selector("html.projector")
        assert "proj=1" in page.url
        assert page.get_attribute("#projector-toggle", "aria-pressed") == "true"
        click_conv_centre(page)
        sizes = page.evaluate("""() => {
          const out = [];
          for (const e of document.querySelectorAll('#panel-lab *')) {
            const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
            const r = e.getBoundingClientRect();
            if (!own || !r.width || !r.height || e.closest('.visually-hidden, [hidden]')) continue;
            const label = !!e.closest(
              'figcaption, .channel-label, .legend-labels, .stats, .zoom-level');
            out.push({tag: e.tagName, cls: e.className, label,
                      px: parseFloat(getComputedStyle(e).fontSize)});
          }
          return out; }""")
        body = [s for s in sizes if not s["label"]]
        labels = [s for s in sizes if s["label"]]
        assert body and labels
        assert min(s["px"] for s in body) >= 16, [s for s in body if s["px"] < 16][:5]
        assert min(s["px"] for s in labels) >= 14, [s for s in labels if s["px"] < 14][:5]
        shot(page, "lab-view-projector-ja-1280x720")
        page.click("#projector-toggle")
        assert "proj=1" not in page.url
    finally:
        page.context.close()


def test_maps_on_the_first_screen_at_150_percent(browser, server_url, shot):
    """A 1280×720 screen at 150 % browser zoom: 853×480 CSS px at device scale 1.5."""
    page = open_at(browser, server_url, 853, 480, "", scale=1.5)
    try:
        for stage in ["input", "conv"]:
            inside(page, f"figure[data-stage='{stage}'] canvas.map-canvas")
        assert page.evaluate("document.documentElement.scrollWidth") <= 853
        shot(page, "lab-view-150pc")
    finally:
        page.context.close()


def test_working_size_in_the_url_and_on_the_page(page, server_url):
    open_lab(page, server_url, "?img=shapes&p=0")
    assert page.input_value("#lab-size") == "256"   # the default, said next to the image
    assert page.get_attribute("#lab-pipeline", "data-shape-input") == "1,256,256"
    before = renders(page)
    page.select_option("#lab-size", "128")
    wait_render_after(page, before)
    page.wait_for_selector("#lab-pipeline[data-shape-input='1,128,128']", state="attached")
    assert "ws=128" in page.url
    assert "128" in page.inner_text("label[for='lab-size'] + select option:checked")
    page.reload()
    page.wait_for_selector(READY)
    assert page.input_value("#lab-size") == "128"
    assert page.get_attribute("#lab-pipeline", "data-shape-input") == "1,128,128"


@pytest.mark.parametrize("zoom", [1, 2, 4, 8])
def test_clicks_land_on_the_pixel_under_the_pointer_at_every_zoom(page, server_url, zoom):
    open_lab(page, server_url, "?img=shapes&p=1")
    for _ in range({1: 0, 2: 2, 4: 4, 8: 6}[zoom]):
        page.click("figure[data-stage='conv'] [data-zoom-step='1']")
    box_sel = "figure[data-stage='conv'] .map"
    assert page.get_attribute(box_sel, "data-zoom") == str(zoom)
    _, H, W = (int(v) for v in page.get_attribute("#lab-pipeline", "data-shape-conv").split(","))
    for i, j in [(101, 37), (200, 230), (5, 128)]:
        # Scroll the zoomed map so pixel (i, j) is in view, then click its centre.
        page.eval_on_selector(box_sel, """(b, [i, j, H, W]) => {
            const c = b.querySelector('canvas.map-canvas');
            const x = (j + 0.5) / W * parseFloat(c.style.width);
            const y = (i + 0.5) / H * parseFloat(c.style.height);
            b.scrollLeft = x - b.clientWidth / 2; b.scrollTop = y - b.clientHeight / 2; }""",
                              [i, j, H, W])
        c = page.locator("figure[data-stage='conv'] canvas.map-canvas").bounding_box()
        # Chromium delivers whole CSS px: the pixel under that point is the one expected.
        x = round(c["x"] + (j + 0.5) * c["width"] / W)
        y = round(c["y"] + (i + 0.5) * c["height"] / H)
        want = (int((y - c["y"]) / c["height"] * H), int((x - c["x"]) / c["width"] * W))
        page.mouse.click(x, y)
        assert page.get_attribute("#lab-inspector-body", "data-pixel") == f"0,{want[0]},{want[1]}"
        if zoom >= 2:   # a map pixel ≥ 2.5 screen px: the centre of the meant pixel is hit
            assert want == (i, j)
    if zoom > 1:   # a drag pans the map and keeps the pinned pixel
        b = page.locator(box_sel).bounding_box()
        left = page.eval_on_selector(box_sel, "b => b.scrollLeft")
        page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)
        page.mouse.down()
        page.mouse.move(b["x"] + b["width"] / 2 - 60, b["y"] + b["height"] / 2, steps=4)
        page.mouse.up()
        assert page.eval_on_selector(box_sel, "b => b.scrollLeft") > left
        page.mouse.move(1, 1)   # the hover preview ends: the pinned pixel shows again
        assert page.get_attribute("#lab-inspector-body", "data-pixel") == "0,5,128"


def test_magnifier_follows_pointer_and_keyboard(page, server_url, shot):
    open_lab(page, server_url, "?img=shapes&p=1")
    c = page.locator("figure[data-stage='conv'] canvas.map-canvas").bounding_box()
    page.mouse.move(c["x"] + c["width"] * 0.3, c["y"] + c["height"] * 0.3)
    lens = page.locator(".magnifier")
    lens.wait_for(state="visible")
    assert lens.get_attribute("data-cells") == "9"
    cells = lens.locator(".magnifier-cell").all_inner_texts()
    patch = page.locator("#lab-inspector-body .matrix.patch td").all_inner_texts()
    assert [float(v) for v in cells] == pytest.approx([float(v) for v in patch], abs=0.01)
    sizes = page.eval_on_selector_all(".magnifier-cell", "cs => cs.map(c => c.offsetWidth)")
    assert min(sizes) >= 30   # readable
    lb = lens.bounding_box()
    assert abs(lb["x"] - (c["x"] + c["width"] * 0.3)) < 40   # next to the pointer
    shot(page, "lab-view-magnifier")
    page.mouse.move(1, 1)
    lens.wait_for(state="hidden")
    page.focus("figure[data-stage='conv'] .map")
    page.keyboard.press("ArrowRight")
    lens.wait_for(state="visible")
    assert page.get_attribute("#lab-inspector-body", "data-pixel").endswith(",129")
    page.click("#lab-magnifier")   # off: kept in the URL
    assert "mag=off" in page.url
    page.focus("figure[data-stage='conv'] .map")
    page.keyboard.press("ArrowLeft")
    assert lens.is_hidden()


def test_every_invalid_control_marked_at_once_in_both_languages(page, server_url, shot):
    open_lab(page, server_url)
    page.fill("#lab-stride", "0")
    page.fill("#lab-pad", "99")
    page.fill("#lab-dilation", "1.5")
    for group, text in [("stride", "Stride S: a whole number from 1 to 64."),
                        ("pad", "Padding P: a whole number from 0 to 64."),
                        ("dilation", "Dilation D: a whole number from 1 to 16.")]:
        loc = page.locator(f"[data-error-for='{group}']")
        loc.wait_for(state="visible")
        assert loc.inner_text() == text
    for control in ["#lab-stride", "#lab-pad", "#lab-dilation"]:
        assert page.get_attribute(control, "aria-invalid") == "true"
    assert "stale" in page.get_attribute("#lab-pipeline", "class")
    shot(page, "lab-view-errors-en")
    page.click(".lang-btn[data-lang='ja']")
    page.wait_for_selector("html[lang=ja]", state="attached")
    page.fill("#lab-stride", "0")   # checked again in the page's language
    page.locator("[data-error-for='stride']").wait_for(state="visible")
    page.wait_for_selector("[data-error-for='stride']:has-text('の整数にしてください')")
    want = "ストライド S：1〜64 の整数にしてください。"
    assert page.inner_text("[data-error-for='stride']") == want
    assert "ダイレーション" in page.inner_text("[data-error-for='dilation']")
    shot(page, "lab-view-errors-ja")


def test_never_covered_and_pool_dropped_rows_are_hatched(page, server_url, shot):
    open_lab(page, server_url, "?img=shapes")
    before = renders(page)
    page.set_input_files("#lab-file", files=[{"name": "t.png", "mimeType": "image/png",
                                               "buffer": test_image_png(40, 30)}])
    wait_render_after(page, before)
    before = renders(page)
    page.fill("#lab-stride", "2")   # 30 + 2 − 3 = 29: 1 row never covered; OH = 15: pool drops 1
    wait_render_after(page, before)
    assert page.get_attribute("figure[data-stage='input'] .map", "data-never") == "1,1"
    assert page.get_attribute("figure[data-stage='relu'] .map", "data-dropped") == "1,0"
    # The band is at least 10 CSS px tall on screen although one row is ~2 px here.
    shade = "figure[data-stage='input'] canvas.map-shade"
    band = page.eval_on_selector(shade, """c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const k = c.width / parseFloat(c.style.width); let rows = 0;
        for (let y = c.height - 1; y >= 0; y--) {
          let hit = false;
          for (let x = 0; x < c.width; x++) {
            if (d[(y * c.width + x) * 4 + 3] > 0) { hit = true; break; } }
          if (!hit) break; rows++; }
        return rows / k; }""")
    assert band >= 10
    shot(page, "lab-view-shading")
    # no ReLU: the conv map (its card kept, pipeline.js) is the one before pooling now, and back
    conv, relu = "figure[data-stage='conv'] .map", "figure[data-stage='relu'] .map"
    for act, marked, plain in (("none", conv, None), ("relu", relu, conv)):
        before = renders(page)
        page.select_option("#lab-activation", act)
        wait_render_after(page, before)
        assert page.get_attribute(marked, "data-dropped") == "1,0"
        if plain:
            assert page.get_attribute(plain, "data-dropped") is None


def test_learned_filter_keeps_its_origin(page, server_url):
    page.goto(f"{server_url}/?view=network")
    tile = page.locator(".net-filter[data-index='3']")
    tile.wait_for(timeout=30000)
    tile.scroll_into_view_if_needed()
    tile.click()
    page.wait_for_selector("#lab-kernel-desc[data-origin]")
    origin = page.get_attribute("#lab-kernel-desc", "data-origin")
    model, layer, index = origin.split(":")
    assert (layer, index) == ("conv1", "3")
    assert f"lo={model}%3Aconv1%3A3" in page.url
    desc = page.inner_text("#lab-kernel-desc")
    assert "#3" in desc and model in desc
    page.reload()
    page.wait_for_selector("#lab-kernel-desc[data-origin]", state="attached")
    assert page.get_attribute("#lab-kernel-desc", "data-origin") == origin
    page.fill("#lab-kernel-grid input >> nth=0", "5")   # an edit: no longer the learned filter
    page.wait_for_selector("#lab-kernel-desc:not([data-origin])", state="attached")
    assert "lo=" not in page.url


def test_kept_maps_answer_each_key_once_after_many_answers(page, server_url):
    """Cards of the same make are kept between answers and their maps drawn again in place
    (pipeline.js); the inspector and zoom listeners of a kept map are replaced, not added to,
    so after several answers one arrow key still moves one pixel and one + one zoom level."""
    open_lab(page, server_url, "?img=shapes&p=1&k=sobel-x")
    conv = "figure[data-stage='conv']"
    page.eval_on_selector(conv, "f => { f.dataset.mark = 'kept'; }")
    for mode in ("edge", "reflect", "zeros", "edge"):
        before = renders(page)
        page.select_option("#lab-padmode", mode)
        wait_render_after(page, before)
    assert page.get_attribute(conv, "data-mark") == "kept"   # the same card, drawn in place
    page.focus(f"{conv} .map")
    c, i, j = (int(v) for v in page.get_attribute("#lab-inspector-body", "data-pixel").split(","))
    page.keyboard.press("ArrowRight")
    assert page.get_attribute("#lab-inspector-body", "data-pixel") == f"{c},{i},{j + 1}"
    page.keyboard.press("+")
    assert page.get_attribute(f"{conv} .map", "data-zoom") == "1.5"   # ZOOMS[1], not further
