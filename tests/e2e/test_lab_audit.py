"""Fixes from the acceptance audit of the page: a kernel too large for the padded input dims the
maps and the formula says why; the narrow layout puts the control groups two by two without
horizontal scrolling; long Japanese preset names are not cut; the teaching views draw images in
gray (the contract's image scale) and feature maps with the contract's colours."""

from __future__ import annotations

from tests.e2e.lab_helpers import open_lab, renders, test_image_png, wait_render_after
from tests.e2e.views_helpers import open_view


def test_a_too_large_kernel_dims_the_maps_and_the_formula_says_why(page, server_url, shot):
    """Issue 11, point 7: the page checks the kernel against the padded input itself (no request
    is sent), dims the maps, and the formula stays live with the student's numbers."""
    open_lab(page, server_url, "?k=sobel-x&p=1&s=1")
    before = renders(page)
    page.set_input_files("#lab-file", files=[{"name": "tiny.png", "mimeType": "image/png",
                                               "buffer": test_image_png(8, 6)}])
    wait_render_after(page, before)
    assert page.get_attribute("#lab-formula", "class") == "formula"
    page.select_option("#lab-kh", "11")  # an 11-row window cannot fit 6 + 2·1 rows
    error = page.locator("[data-error-for='kernel']")
    error.wait_for(state="visible")
    assert "11" in error.inner_text() and "6 + 2·1 = 8" in error.inner_text()
    page.wait_for_selector("#lab-formula.invalid")
    formula = page.inner_text("#lab-formula")
    assert "(6 + 2·1 − 11) / 1 + 1 = -2" in formula   # OH with the student's numbers
    assert page.inner_text("#lab-formula .formula-fail") == error.inner_text()
    assert page.get_attribute("#lab-kh", "aria-invalid") == "true"
    assert "stale" in page.get_attribute("#lab-pipeline", "class")
    shot(page, "lab-kernel-too-large")
    before = renders(page)
    page.select_option("#lab-kh", "3")
    wait_render_after(page, before)
    assert "invalid" not in page.get_attribute("#lab-formula", "class")
    assert "stale" not in page.get_attribute("#lab-pipeline", "class")
    assert error.is_hidden()


def test_narrow_window_two_columns_of_controls_no_horizontal_scroll(browser, server_url, shot):
    ctx = browser.new_context(viewport={"width": 800, "height": 900}, locale="ja-JP")
    page = ctx.new_page()
    try:
        open_lab(page, server_url, "?lang=ja")
        assert page.evaluate("document.documentElement.scrollWidth") <= 800
        boxes = {g: page.locator(f"#group-{g}").bounding_box()
                 for g in ("image", "filter", "geometry", "layers")}
        assert boxes["image"]["y"] == boxes["filter"]["y"]          # side by side
        assert boxes["filter"]["x"] > boxes["image"]["x"] + boxes["image"]["width"] - 1
        assert boxes["geometry"]["y"] > boxes["image"]["y"]        # next row
        # The stride/dilation pairs never split a label from its box.
        lab = page.locator("label[for='lab-dilation']").bounding_box()
        box = page.locator("#lab-dilation").bounding_box()
        assert abs((lab["y"] + lab["height"] / 2) - (box["y"] + box["height"] / 2)) < 4
        shot(page, "lab-800-ja")
    finally:
        ctx.close()


TEXT_WIDTH = """s => { const c = document.createElement('canvas').getContext('2d');
  c.font = getComputedStyle(s).font; return c.measureText(s.selectedOptions[0].text).width; }"""


def test_long_japanese_preset_names_are_not_cut(page, server_url):
    open_lab(page, server_url, "?lang=ja")
    page.wait_for_selector("html[lang=ja]", state="attached")
    sel = page.locator("#lab-kernel")
    options = page.eval_on_selector_all("#lab-kernel option", "os => os.map(o => o.value)")
    widest = 0
    for value in options:
        if value == "custom":
            continue
        sel.select_option(value)
        widest = max(widest, page.eval_on_selector("#lab-kernel", TEXT_WIDTH))
    inner = page.eval_on_selector("#lab-kernel", "s => s.clientWidth")
    assert widest + 24 <= inner, (widest, inner)   # 24 px: padding and the arrow


def test_views_draw_images_gray_and_maps_with_the_contract_scale(page, server_url):
    open_view(page, server_url, "conv3d")
    scales = page.eval_on_selector_all("#panel-conv3d canvas.vw-map",
                                       "cs => cs.map(c => c.dataset.scale)")
    assert scales[:3] == ["gray", "gray", "gray"]        # the three input channels
    assert "diverging" in scales[3:]                       # signed partial maps
    # Every input pixel is (v, v, v); a signed map's zero is the neutral #f7f7f7.
    px = page.eval_on_selector_all("#panel-conv3d canvas.vw-map", """cs => cs.map(c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, seen = new Set();
        for (let i = 0; i < d.length; i += 4) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
        return [...seen]; })""")
    for colour in px[0]:                                   # every pixel of an input channel
        r, g, b = map(int, colour.split(","))
        assert r == g == b, colour
    assert any("247,247,247" in cols for cols in px[3:])   # zero in a signed map
