"""The filter lab in Chromium against a real uvicorn: images, filters, geometry, inspector, URL."""

from __future__ import annotations

import json
import re

import httpx
import numpy as np
import pytest

from tests.e2e.lab_helpers import (
    READY,
    open_lab,
    renders,
    set_number,
    shapes,
    spec_for,
    stage_values,
    test_image_png,
    wait_render_after,
    wait_shape,
)

SOBEL_X = [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]


def test_first_view_is_never_empty(page, server_url, shot):
    open_lab(page, server_url)
    s = shapes(page)
    assert set(s) == {"input", "conv", "relu", "pool"}
    C, H, W = s["input"]
    # Default setup: sobel-x, pad 1, stride 1 → same size; ReLU; 2×2 max pooling, stride 2.
    assert s["conv"] == [C, H, W] and s["relu"] == [C, H, W]
    assert s["pool"] == [C, (H - 2) // 2 + 1, (W - 2) // 2 + 1]
    assert page.input_value("#lab-kernel") == "sobel-x"
    assert page.locator("figure.stage canvas.map-canvas").count() >= 4
    assert page.locator("figure.stage .legend").count() == 4
    assert f"= {H}" in page.inner_text("#lab-formula")
    shot(page, "lab-first-view")


def test_sample_then_upload_sobel_padding_stride_pool(page, server_url, shot):
    open_lab(page, server_url)
    samples = httpx.get(f"{server_url}/api/samples").json()
    sample_ids = [s["id"] for s in (samples if isinstance(samples, list) else samples["samples"])]
    before = renders(page)
    page.select_option("#lab-sample", sample_ids[-1])
    wait_render_after(page, before)
    assert page.get_attribute("#lab-pipeline figure[data-stage='input']", "data-stage") == "input"
    assert f"img={sample_ids[-1]}" in page.url

    before = renders(page)
    page.set_input_files("#lab-file", files=[{"name": "test.png", "mimeType": "image/png",
                                               "buffer": test_image_png(40, 30)}])
    wait_render_after(page, before)
    assert shapes(page)["input"] == [1, 30, 40]
    assert "img=" not in page.url

    page.select_option("#lab-kernel", "identity")
    page.select_option("#lab-kernel", "sobel-x")
    assert [page.input_value(f"#lab-kernel-grid input[data-index='{i}']") for i in range(9)] == \
        ["-1", "0", "1", "-2", "0", "2", "-1", "0", "1"]
    before = renders(page)
    set_number(page, "#lab-pad", 2)
    set_number(page, "#lab-stride", 2)
    page.select_option("#lab-activation", "relu")
    page.select_option("#lab-pool", "max")
    set_number(page, "#lab-poolsize", 2)
    set_number(page, "#lab-poolstride", 2)
    wait_render_after(page, before)
    wait_shape(page, "conv", [1, 16, 21])
    # OH = ⌊(30 + 2·2 − 3) / 2⌋ + 1 = 16, OW = ⌊(40 + 2·2 − 3) / 2⌋ + 1 = 21; pool 8 × 10.
    s = shapes(page)
    assert s["conv"] == [1, 16, 21] and s["relu"] == [1, 16, 21] and s["pool"] == [1, 8, 10]
    formula = page.inner_text("#lab-formula")
    assert "OH = ⌊(H + 2P − FH) / S⌋ + 1 = ⌊(30 + 2·2 − 3) / 2⌋ + 1 = 16" in formula
    assert "OW = ⌊(W + 2P − FW) / S⌋ + 1 = ⌊(40 + 2·2 − 3) / 2⌋ + 1 = 21" in formula
    assert "never covered" in formula and "last 1 row(s) and 1 column(s)" in formula
    assert "PW = ⌊(OW − k) / S⌋ + 1 = ⌊(21 − 2) / 2⌋ + 1 = 10" in formula
    # PH = (16 − 2) / 2 + 1 is exact; PW leaves the last column of the feature map out.
    pool_note = page.inner_text("#lab-formula .formula-pool-warning")
    assert "last 0 row(s) and 1 column(s) of the feature map" in pool_note
    assert page.inner_text("figure[data-stage='pool'] .shape") == "(1, 8, 10)"
    shot(page, "lab-sobel-pad2-stride2-maxpool")


def test_inspector_sum_plus_bias_equals_api(page, server_url, shot):
    open_lab(page, server_url)
    png = test_image_png(40, 30)
    before = renders(page)
    page.set_input_files("#lab-file",
                         files=[{"name": "t.png", "mimeType": "image/png", "buffer": png}])
    page.select_option("#lab-kernel", "sobel-x")
    set_number(page, "#lab-pad", 1)
    set_number(page, "#lab-stride", 2)
    set_number(page, "#lab-bias", 0.5)
    page.select_option("#lab-activation", "none")
    page.select_option("#lab-pool", "none")
    wait_render_after(page, before)
    wait_shape(page, "conv", [1, 15, 20])
    assert page.locator("figure[data-stage='pool']").count() == 0
    _, OH, OW = shapes(page)["conv"]
    assert (OH, OW) == (15, 20)  # ⌊(30 + 2 − 3) / 2⌋ + 1, ⌊(40 + 2 − 3) / 2⌋ + 1

    i, j = 7, 9  # padded cols 18..20 = image cols 17..19: the rectangle's right edge
    box = page.locator("figure[data-stage='conv'] canvas.map-canvas").bounding_box()
    page.mouse.click(box["x"] + (j + 0.5) * box["width"] / OW,
                     box["y"] + (i + 0.5) * box["height"] / OH)
    body = page.locator("#lab-inspector-body")
    assert body.get_attribute("data-pixel") == f"0,{i},{j}"
    page_sum = float(body.get_attribute("data-sum"))
    page_bias = float(body.get_attribute("data-bias"))
    assert page_bias == 0.5

    spec = spec_for(SOBEL_X, bias=0.5, pad=1, stride=2)
    r = httpx.post(f"{server_url}/api/convolve", files={"image": ("t.png", png, "image/png")},
                   data={"spec": json.dumps(spec)})
    assert r.status_code == 200, r.text
    api_value = float(stage_values(r.json(), "conv")[0, 0, i, j])
    assert abs(api_value - 0.5) > 1  # an edge: a large sum, not a flat area
    assert page_sum + page_bias == pytest.approx(api_value, abs=1e-4)
    # The products shown multiply to the patch × kernel, and the patch came from the padded input.
    x = stage_values(r.json(), "input")[0, 0]
    xp = np.pad(x, 1)
    patch = xp[i * 2:i * 2 + 3, j * 2:j * 2 + 3]
    assert float((patch * np.array(SOBEL_X)).sum()) + 0.5 == pytest.approx(api_value, abs=1e-4)
    cells = page.locator("#lab-inspector-body .matrix.patch td").all_inner_texts()
    assert [float(c) for c in cells] == pytest.approx(patch.ravel().tolist(), abs=1e-4)
    assert "✓" in page.inner_text("#lab-inspector-body .server-check")
    page.locator("#lab-inspector").scroll_into_view_if_needed()
    shot(page, "lab-inspector")

    # Hover previews another pixel; leaving the map returns to the clicked one.
    box = page.locator("figure[data-stage='conv'] canvas.map-canvas").bounding_box()  # scrolled
    page.mouse.move(box["x"] + 2.5 * box["width"] / OW, box["y"] + 3.5 * box["height"] / OH)
    assert body.get_attribute("data-pixel") == "0,3,2"
    page.mouse.move(box["x"] - 40, box["y"] - 40)
    assert body.get_attribute("data-pixel") == f"0,{i},{j}"
    # Keyboard: arrow keys move the inspected pixel.
    page.focus("figure[data-stage='conv'] .map")
    page.keyboard.press("ArrowRight")
    assert body.get_attribute("data-pixel") == f"0,{i},{j + 1}"


def test_shared_url_restores_setup(page, browser, server_url):
    open_lab(page, server_url)
    sample = page.input_value("#lab-sample")
    before = renders(page)
    page.select_option("#lab-kernel", "laplacian-4")
    page.select_option("#lab-kh", "5")     # the 3×3 laplacian centred in a 5×5 grid
    page.fill("#lab-kernel-grid input[data-index='0']", "0.25")
    set_number(page, "#lab-bias", -0.5)
    set_number(page, "#lab-pad", 3)
    page.select_option("#lab-padmode", "reflect")
    set_number(page, "#lab-stride", 3)
    set_number(page, "#lab-dilation", 2)
    page.select_option("#lab-pool", "avg")
    set_number(page, "#lab-poolsize", 3)
    page.check("input[name='color'][value='rgb']")
    wait_render_after(page, before)
    page.wait_for_selector('#lab-pipeline[data-shape-input^="3,"]', state="attached")
    url, want_shapes = page.url, shapes(page)
    values = "els => els.map(e => e.value)"
    grid = page.locator("#lab-kernel-grid input").evaluate_all(values)
    assert re.search(r"[?&]kv=5x3%3A0.25", url) and "pm=reflect" in url and "c=rgb" in url

    other = page.context.new_page()
    other.goto(url)
    other.wait_for_selector(READY)
    assert other.input_value("#lab-kernel") == "custom"
    assert other.locator("#lab-kernel-grid input").evaluate_all(values) == grid
    for sel, want in [("#lab-bias", "-0.5"), ("#lab-pad", "3"), ("#lab-padmode", "reflect"),
                      ("#lab-stride", "3"), ("#lab-dilation", "2"), ("#lab-pool", "avg"),
                      ("#lab-poolsize", "3"), ("#lab-kh", "5"), ("#lab-kw", "3"),
                      ("#lab-sample", sample)]:
        assert other.input_value(sel) == want, sel
    assert other.is_checked("input[name='color'][value='rgb']")
    assert shapes(other) == want_shapes


def test_catalogue_parameters_fill_the_grid_from_the_api(page, server_url):
    open_lab(page, server_url)
    H = shapes(page)["input"][1]
    before = renders(page)
    page.select_option("#lab-kernel", "gaussian")
    set_number(page, "#lab-kparam-size", 5)
    set_number(page, "#lab-kparam-sigma", 1.5)
    wait_render_after(page, before)
    wait_shape(page, "conv", [1, H - 2, H - 2])   # pad 1, a 5×5 kernel: H + 2 − 5 + 1
    assert page.locator("#lab-kernel-grid input").count() == 25
    r = httpx.get(f"{server_url}/api/kernels").json()
    assert any(k["id"] == "gaussian" for k in r["kernels"])
    weights = [float(v) for v in page.locator("#lab-kernel-grid input").evaluate_all(
        "els => els.map(e => e.title)")]
    assert sum(weights) == pytest.approx(1.0, abs=1e-4)      # a normalised blur
    assert weights[12] == max(weights)                       # peak in the centre
    assert "kp=size%3A5%2Csigma%3A1.5" in page.url and page.input_value("#lab-kh") == "5"


def test_pooled_pixel_inspector_matches_api(page, server_url):
    open_lab(page, server_url, "?img=shapes&k=sobel-x&p=1&s=1&act=relu&pool=max&ps=2&pst=2&fo=pool")
    _, PH, PW = shapes(page)["pool"]
    i, j = PH // 3, PW // 4
    box = page.locator("figure[data-stage='pool'] canvas.map-canvas").bounding_box()
    page.mouse.click(box["x"] + (j + 0.5) * box["width"] / PW,
                     box["y"] + (i + 0.5) * box["height"] / PH)
    body = page.locator("#lab-inspector-body")
    assert body.get_attribute("data-pixel") == f"0,{i},{j}"
    png = httpx.get(f"{server_url}/api/samples/shapes.png").content
    spec = spec_for(SOBEL_X, pad=1, activation="relu", pool={"type": "max", "size": 2, "stride": 2})
    r = httpx.post(f"{server_url}/api/convolve", files={"image": ("s.png", png, "image/png")},
                   data={"spec": json.dumps(spec)}).json()
    relu = stage_values(r, "relu")[0, 0]
    want = float(relu[2 * i:2 * i + 2, 2 * j:2 * j + 2].max())
    assert float(stage_values(r, "pool")[0, 0, i, j]) == pytest.approx(want)
    assert float(body.get_attribute("data-value")) == pytest.approx(want, abs=1e-5)
    cells = page.locator("#lab-inspector-body .matrix td").all_inner_texts()
    assert [float(c) for c in cells] == pytest.approx(
        relu[2 * i:2 * i + 2, 2 * j:2 * j + 2].ravel().tolist(), abs=1e-4)


def test_not_exact_on_one_axis_names_only_that_axis(page, server_url):
    open_lab(page, server_url)
    before = renders(page)
    page.set_input_files("#lab-file", files=[{"name": "t.png", "mimeType": "image/png",
                                               "buffer": test_image_png(40, 31)}])
    set_number(page, "#lab-pad", 0)
    set_number(page, "#lab-stride", 2)
    wait_render_after(page, before)
    # H: (31 − 3) / 2 = 14 exact → 15; W: (40 − 3) / 2 = 18.5 → 19, the last column never covered.
    wait_shape(page, "conv", [1, 15, 19])
    text = page.inner_text("#lab-formula .formula-warning")
    assert "(W + 2P − FW) = 37 is not a multiple of S = 2" in text
    assert "last 1 column(s)" in text and "row" not in text
