"""The live training panel of the network view (issue 15, point 2) in a real browser: start a
small run, read its progress over SSE, and see the first-layer filters change between two
screenshots; both languages."""

from __future__ import annotations

from typing import Any

import pytest

PANEL = "section[data-view=network] [data-role=training]"


def _tiles(page: Any) -> list[str]:
    return page.eval_on_selector_all(f"{PANEL} [data-role=train-filters] canvas",
                                     "cs => cs.map(c => c.toDataURL())")


@pytest.mark.parametrize(("lang", "viewport"), [("en", (1280, 720)), ("ja", (390, 844))])
def test_a_live_run_animates_the_filters(page: Any, server_url: str, shot: Any, lang: str,
                                         viewport: tuple[int, int]) -> None:
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.goto(f"{server_url}/?view=network&lang={lang}")
    page.wait_for_selector("body[data-ready=true]")
    panel = page.locator(PANEL)
    panel.locator("[data-role=train-steps]").fill("40")
    panel.locator("[data-role=train-start]").click()
    page.wait_for_selector(f"{PANEL}[data-state=progress]", timeout=120_000)
    early = _tiles(page)
    assert len(early) == 16
    panel.scroll_into_view_if_needed()
    shot(page, f"training-early-{lang}-{viewport[0]}")
    page.wait_for_selector(f"{PANEL}[data-state=finished]", timeout=240_000)
    late = _tiles(page)
    assert late != early  # the filters visibly changed while it trained
    assert panel.get_attribute("data-step") == "40"
    assert panel.locator("[data-role=train-download]").is_visible()
    status = panel.locator("[data-role=train-status]").inner_text()
    assert ("step 40 of 40" in status) if lang == "en" else ("ステップ 40 / 40" in status)
    onnx = panel.locator("[data-role=train-onnx]")
    assert onnx.is_visible() and onnx.get_attribute("href").endswith("/model.onnx")
    panel.locator("[data-role=train-keep]").click()  # keep: the starter's token is sent
    kept = panel.locator("[data-role=train-kept]")
    kept.wait_for(state="visible", timeout=60_000)
    href = kept.get_attribute("href")
    assert href.startswith("/?view=network&model=onnx-")
    assert ("Trained color-vgg, 40 steps" in kept.inner_text()) if lang == "en" else (
        "ネットワーク表示で開く" in kept.inner_text())
    shot(page, f"training-done-{lang}-{viewport[0]}")
    assert page.request.get(server_url + "/api/models/" + href.split("model=")[1]).ok
