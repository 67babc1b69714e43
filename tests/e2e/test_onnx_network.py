"""An imported ONNX model in the whole network view, as the shipped models are seen: it joins the
Model list (its own group), every layer is a stage with its maps, the prediction and its bars come
from the API for the same picture, the conv1 gallery sends a filter to the lab (gray) or to the 3-D
view as a true (FN, 3, FH, FW) bank (RGB); three viewports, both languages, axe-core."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from tests.onnx_import.fixtures import lenet5, vgg64

SECTION = "section[data-view=network]"
VIEWPORTS = [(1024, 768), (1280, 720), (390, 844)]
BLOCKING = {"serious", "critical"}


def _import(page: Any, url: str, path: Path, lang: str, labels: Path | None = None) -> Any:
    """Open the network view, import the file below (with a labels file); wait until the view
    predicts with it."""
    page.goto(f"{url}/?view=network&lang={lang}")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector(f"{SECTION}[data-onnx-state=idle][data-state=idle][data-label]")
    section = page.locator(SECTION)
    before = int(section.get_attribute("data-predictions"))
    if labels is not None:
        section.locator("[data-role=onnxLabels]").set_input_files(str(labels))
    section.locator("[data-role=onnxFile]").set_input_files(str(path))
    page.wait_for_selector(f"{SECTION}[data-onnx][data-onnx-state=idle]")
    model = section.get_attribute("data-onnx")
    page.wait_for_function(
        "([n, id]) => { const s = document.querySelector('section[data-view=network]');"
        " return s.dataset.state === 'idle' && Number(s.dataset.predictions) > n"
        " && s.querySelector('[data-role=model]').value === id; }", arg=[before, model])
    return section


def _api_answer(url: str, model: str, section: Any) -> dict[str, Any]:
    """The API's prediction for the pixels on the pad (what the page sent)."""
    png = base64.b64decode(section.locator("[data-role=pad]").evaluate(
        "c => c.toDataURL('image/png')").split(",", 1)[1])
    r = httpx.post(f"{url}/api/models/{model}/predict", files={"image": ("pad.png", png)},
                   timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize(("w", "h"), VIEWPORTS)
def test_an_imported_rgb_model_is_seen_like_a_shipped_one(  # type: ignore[no-untyped-def]
        browser, server_url: str, tmp_path: Path, shot, axe, lang: str, w: int, h: int) -> None:
    ctx = browser.new_context(viewport={"width": w, "height": h}, locale="en-US", bypass_csp=True)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        path = tmp_path / "vgg64.onnx"
        path.write_bytes(vgg64().SerializeToString())
        section = _import(page, server_url, path, lang)
        model = section.get_attribute("data-onnx")
        detail = httpx.get(f"{server_url}/api/models/{model}", timeout=30).json()
        # in the Model list, in its own group, and in the URL so a shared link opens it
        group = section.locator("[data-role=model] optgroup")
        assert group.get_attribute("label") == ("Imported (ONNX)" if lang == "en"
                                                 else "取り込んだモデル（ONNX）")
        assert group.locator("option").evaluate_all("os => os.map(o => o.value)") == [model]
        assert f"network-model={model}" in page.url
        # every layer: a chip and a stage; maps as one sheet of tiles per stage
        names = [layer["name"] for layer in detail["layers"]]
        assert section.locator("[data-role=chain] li").count() == len(names) == 26
        stages = section.locator("[data-role=stages] > li")
        assert stages.evaluate_all("ls => ls.map(l => l.dataset.stage)") == names
        kinds = section.locator("[data-role=chain] .net-chip-kind").all_inner_texts()
        assert kinds[2] == ("BatchNorm" if lang == "en" else "Batch Norm（バッチ正規化）")
        assert not any(k.startswith("network.") for k in kinds)  # every kind translated
        sheet = page.locator("#net-stage-conv1 img.net-sheet")
        assert sheet.count() == 1
        page.wait_for_function("() => { const i = document.querySelector("
                               "'#net-stage-conv1 img.net-sheet');"
                               " return i.complete && i.naturalWidth; }")
        # conv1: 16 channels of 64×64 → 4 columns × 4 rows with 1-px gaps = 259 px, drawn ×1
        assert sheet.evaluate("i => [i.naturalWidth, i.naturalHeight, i.getAttribute('width')]"
                              ) == [259, 259, "259"]
        title = section.locator("[data-role=preparedTitle]").inner_text()
        assert title.endswith("（3×64×64）" if lang == "ja" else "(3×64×64)")
        # the page shows the API's answer for the same pixels
        body = _api_answer(server_url, model, section)
        label = int(section.get_attribute("data-label"))
        assert label == body["label"]
        assert section.locator("[data-role=label]").inner_text() == body["label_name"]
        shown = section.locator(".net-bar .net-bar-value").all_inner_texts()
        assert shown == [f"{p * 100:.1f}%" for p in body["probabilities"]]
        assert section.locator("[data-role=prepared]").get_attribute("src") == body["preview"]
        # no training card, no timeline; explanations through its own layers
        assert section.locator("[data-role=card]").is_hidden()
        xp = section.locator("[data-role=explain]")
        section.locator("[data-role=xpMethod]").select_option("gradcam")
        section.locator("[data-role=xpRun]").click()
        page.wait_for_selector(f"{SECTION} [data-role=explain][data-method=gradcam]"
                               "[data-state=idle]")
        assert body["label_name"] in xp.locator("p").first.inner_text()
        xp.scroll_into_view_if_needed()
        shot(page, f"onnx-network-gradcam-{lang}-{w}x{h}")
        # the gallery: conv1's 16 RGB filters
        assert section.locator("button.net-filter-rgb").count() == 16
        walk = section.locator("[data-role=onnxWalk]")  # the walkthrough in the page's help
        walk.locator("summary").click()
        assert walk.locator("ol > li").count() == 7 and walk.locator("pre").count() == 3
        want = {"en": "How to bring your own model, step by step",
                "ja": "自分のモデルを持ち込む手順"}
        assert walk.locator("summary").inner_text() == want[lang]
        blocking = [v for v in axe(page, SECTION) if v["impact"] in BLOCKING]
        assert not blocking, [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in blocking]
        walk.scroll_into_view_if_needed()
        shot(page, f"onnx-walkthrough-{lang}-{w}x{h}")
        section.locator("[data-role=model]").scroll_into_view_if_needed()
        shot(page, f"onnx-network-{lang}-{w}x{h}")
        section.locator("#net-stage-conv1").scroll_into_view_if_needed()
        shot(page, f"onnx-network-stages-{lang}-{w}x{h}")
        page.goto(f"{server_url}/?view=network&lang={lang}&onnx={model}")  # the shared link
        page.wait_for_selector(f"{SECTION}[data-state=idle][data-label]")
        page.wait_for_function("id => document.querySelector("
                               "'section[data-view=network] [data-role=model]').value === id",
                               arg=model)
    finally:
        ctx.close()
    assert errors == []


def test_imported_labels_and_filters_reach_the_lab_and_the_3d_view(  # type: ignore[no-untyped-def]
        page, server_url: str, tmp_path: Path, shot) -> None:
    path = tmp_path / "lenet5.onnx"
    path.write_bytes(lenet5().SerializeToString())  # labels zero … nine in its metadata
    section = _import(page, server_url, path, "en")
    model = section.get_attribute("data-onnx")
    body = _api_answer(server_url, model, section)
    names = section.locator(".net-bar .net-bar-digit").all_inner_texts()
    assert names[:3] == ["zero", "one", "two"] and len(names) == 10
    assert section.locator("[data-role=label]").inner_text() == body["label_name"]
    caption = section.locator("[data-role=labelCaption]").inner_text()
    assert caption.startswith(f"The network says {body['label_name']} (")
    shot(page, "onnx-network-lenet5-bars")
    # a gray conv1 filter (6, 1, 5, 5) goes to the lab with its weights and bias
    filters = httpx.get(f"{server_url}/api/models/{model}/filters?layer=conv1", timeout=30).json()
    section.locator(".net-filter[data-index='4']").click()
    page.wait_for_selector("#tab-lab[aria-selected=true]")
    app = page.evaluate_handle("import('/static/js/lib/app.js').then(m => m.app)")
    page.wait_for_function("app => app.lab && app.lab.kernel === 'custom' && app.lab.kh === 5",
                           arg=app)
    setup = page.evaluate("app => app.lab", app)
    np.testing.assert_allclose(np.asarray(setup["values"], float),
                               np.asarray(filters["weights"][4][0]).ravel(), atol=1e-6)
    assert setup["bias"] == pytest.approx(filters["bias"][4], abs=1e-6)
    origin = page.locator(f"section[data-view=lab] [data-origin='{model}:conv1:4']")
    assert "#4 of layer conv1" in origin.inner_text()  # the lab says where the kernel came from
    # a deeper layer: conv2's 16 filters of 6 channels; its channel 0 goes to the lab
    section = page.locator(SECTION)
    page.locator('[role="tab"][data-tab="network"]').click()
    conv2 = httpx.get(f"{server_url}/api/models/{model}/filters?layer=conv2", timeout=30).json()
    section.locator("[data-role=filterLayer]").select_option("conv2")
    page.wait_for_function("() => document.querySelectorAll('section[data-view=network]"
                           " .net-filter[data-layer=conv2]').length === 16")
    section.locator(".net-filter[data-layer=conv2][data-index='7']").click()
    page.wait_for_selector(f"section[data-view=lab] [data-origin='{model}:conv2:7']")
    setup = page.evaluate("app => app.lab", app)
    np.testing.assert_allclose(np.asarray(setup["values"], float),
                               np.asarray(conv2["weights"][7][0]).ravel(), atol=1e-6)
    # an RGB model's conv1 filter goes to the 3-D view as a bank of 4
    rgb = tmp_path / "vgg64.onnx"
    rgb.write_bytes(vgg64().SerializeToString())
    names = tmp_path / "labels.txt"  # a labels file chosen beside the model replaces 0 … 9
    colours = ["red", "orange", "yellow", "green", "cyan", "blue", "violet", "pink", "brown",
               "grey"]
    names.write_text("\n".join(colours) + "\n", encoding="utf-8")
    section = _import(page, server_url, rgb, "en", labels=names)
    vgg = section.get_attribute("data-onnx")
    assert section.locator(".net-bar .net-bar-digit").all_inner_texts() == colours
    assert section.locator("[data-role=label]").inner_text() in colours
    section.locator("button.net-filter-rgb").nth(1).click()
    view = page.locator("section[data-view=conv3d]")
    page.wait_for_selector(f"section[data-view=conv3d][data-bank='{vgg}/conv1[1:5]']")
    f = httpx.get(f"{server_url}/api/models/{vgg}/filters?layer=conv1", timeout=30).json()
    got = view.locator('[data-role=bank] [data-role="w-2-1"] td[data-r="0"][data-c="2"]')
    assert float(got.get_attribute("data-v")) == pytest.approx(f["weights"][3][1][0][2], abs=1e-6)
    # the 3-D view's URL names the uploaded model's bank: the link alone brings it back
    link = page.url
    assert f"conv3d-bank={vgg}%2Fconv1%2F1" in link
    page.goto(link)
    page.wait_for_selector(f"section[data-view=conv3d][data-bank='{vgg}/conv1[1:5]']")
    assert float(got.get_attribute("data-v")) == pytest.approx(f["weights"][3][1][0][2], abs=1e-6)
    # both imported models are in the list now, shipped ones first
    page.goto(f"{server_url}/?view=network")
    page.wait_for_selector(f"{SECTION}[data-state=idle][data-label]")
    values = page.locator(f"{SECTION} [data-role=model] optgroup option").evaluate_all(
        "os => os.map(o => o.value)")
    assert sorted(values) == sorted([model, vgg])
