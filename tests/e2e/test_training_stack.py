"""The layer-stack composer of the training panel (issue 15) in a real browser: shapes follow
the edits (remove, reorder, a too-small map), the composed stack trains over SSE, is kept, and
its link opens the network view with the kept model's id; EN and JA."""

from __future__ import annotations

import gzip
import json
import os
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

PANEL = "section[data-view=network] [data-role=training]"


def _shapes(panel: Any) -> list[str]:
    return panel.locator("[data-role=stack-shape]").all_inner_texts()


@pytest.mark.parametrize(("lang", "viewport"), [("en", (1024, 768)), ("ja", (390, 844))])
def test_compose_train_keep_open(page: Any, server_url: str, shot: Any, lang: str,
                                 viewport: tuple[int, int]) -> None:
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.goto(f"{server_url}/?view=network&lang={lang}")
    page.wait_for_selector("body[data-ready=true]")
    panel = page.locator(PANEL)
    stack = panel.locator("[data-role=stack]")
    assert stack.is_hidden()
    panel.locator("[data-role=train-model]").select_option("stack")
    assert stack.is_visible()
    assert _shapes(panel) == ["8×32×32", "8×32×32", "8×16×16", "64", "64"]
    # keyboard: focus the second layer's "down" button and press Enter (relu ↔ pool)
    panel.locator("[data-role=stack-down]").nth(1).focus()
    page.keyboard.press("Enter")
    assert _shapes(panel) == ["8×32×32", "8×16×16", "8×16×16", "64", "64"]
    panel.locator("[data-role=stack-remove]").nth(4).click()  # the last ReLU
    assert len(_shapes(panel)) == 4
    size = panel.locator("[data-role=stack-layer]").nth(1).locator("[data-role=stack-size]")
    size.fill("4")
    size.dispatch_event("change")
    assert _shapes(panel)[1] == "8×8×8"
    assert stack.get_attribute("data-valid") == "true"
    shot(page, f"stack-composed-{lang}-{viewport[0]}")
    panel.locator("[data-role=train-steps]").fill("30")
    panel.locator("[data-role=train-start]").click()
    page.wait_for_selector(f"{PANEL}[data-state=finished]", timeout=240_000)
    assert panel.get_attribute("data-step") == "30"
    assert panel.locator("[data-role=train-filters] canvas").count() == 8
    panel.locator("[data-role=train-keep]").click()
    kept = panel.locator("[data-role=train-kept]")
    kept.wait_for(state="visible", timeout=60_000)
    want = {"en": "Trained stack of 4 layers, 30 steps",
            "ja": "学習済みの 4 層の積み重ね（30 ステップ"}
    assert want[lang] in kept.inner_text()  # the kept model's name in the page's language
    shot(page, f"stack-kept-{lang}-{viewport[0]}")
    href = kept.get_attribute("href")
    kept.click()
    page.wait_for_url(f"**{href}")
    page.wait_for_selector("body[data-ready=true]")
    assert page.request.get(server_url + "/api/models/" + href.split("model=")[1]).ok


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_composer_passes_axe(browser: Any, server_url: str, axe: Any, lang: str) -> None:
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
    try:
        page = ctx.new_page()
        page.goto(f"{server_url}/?view=network&lang={lang}")
        page.wait_for_selector("body[data-ready=true]")
        page.locator(f"{PANEL} [data-role=train-model]").select_option("stack")
        violations = axe(page, f"{PANEL} [data-role=stack]")
        assert violations == [], violations
    finally:
        ctx.close()


def test_an_idx_dataset_in_the_data_dir_is_offered_and_trains(page: Any, server_url: str,
                                                              shot: Any) -> None:
    """An IDX pair put in CONVSCOPE_DATA_DIR (as a teacher would put MNIST there) appears in the
    Dataset list with its shape; the composer's shapes start from 1×28×28; the run trains on it
    and its gray conv1 filters stream in."""
    data = Path(os.environ["CONVSCOPE_DATA_DIR"])
    rng = np.random.default_rng(0)
    n = 300
    x = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    files = [data / "e2edigits-images-idx3-ubyte.gz", data / "e2edigits-labels-idx1-ubyte.gz"]
    with gzip.open(files[0], "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, 28, 28) + x.tobytes())
    with gzip.open(files[1], "wb") as f:
        f.write(struct.pack(">II", 0x801, n) + bytes(int(v) for v in rng.integers(0, 10, n)))
    try:
        page.goto(f"{server_url}/?view=network")
        page.wait_for_selector("body[data-ready=true]")
        panel = page.locator(PANEL)
        page.wait_for_selector(f"{PANEL}[data-datasets]")
        options = panel.locator("[data-role=train-dataset] option")
        texts = dict(zip(options.evaluate_all("os => os.map(o => o.value)"),
                         options.all_inner_texts(), strict=True))
        assert texts["synthetic"] == "Synthetic colour patterns (3×32×32)"
        assert texts["e2edigits"] == "e2edigits (IDX, 1×28×28)"
        panel.locator("[data-role=train-model]").select_option("stack")
        assert _shapes(panel)[0] == "8×32×32"
        panel.locator("[data-role=train-dataset]").select_option("e2edigits")
        assert _shapes(panel) == ["8×28×28", "8×28×28", "8×14×14", "64", "64"]
        assert "1×28×28" in panel.locator("[data-role=stack-note]").inner_text()
        panel.locator("[data-role=train-epochs]").fill("1")  # one epoch ends the run first
        panel.locator("[data-role=train-steps]").fill("3000")
        with page.expect_request("**/api/training") as sent:
            panel.locator("[data-role=train-start]").click()
        body = json.loads(sent.value.post_data or "{}")
        assert (body["dataset"], body["epochs"], body["max_steps"]) == ("e2edigits", 1, 3000)
        page.wait_for_selector(f"{PANEL}[data-state=finished]", timeout=240_000)
        assert 1 <= int(panel.get_attribute("data-step")) < 300  # one epoch of ≤ 300 images
        tiles = panel.locator("[data-role=train-filters] canvas")
        assert tiles.count() == 8
        assert tiles.first.evaluate("c => [c.width, c.height]") == [3, 3]  # one gray 3×3 kernel
        panel.locator("[data-role=train-filters]").scroll_into_view_if_needed()
        shot(page, "training-idx-dataset")
    finally:
        for f in files:
            f.unlink()
