"""The training timeline of the network view (issue 15, point 1), in a real browser: the colour
model's checkpoints, the scrubber moved to the first step and back, the filters drawn at each
step differ, and the page's numbers are the API's; a colour filter goes to the 3-D convolution
view as a true (FN, 3, FH, FW) bank. Both languages, three viewports."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

TL = "section[data-view=network] [data-role=timeline]"


def _open(page: Any, url: str, lang: str) -> Any:
    page.goto(f"{url}/?view=network&network-model=color-vgg&lang={lang}")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector(f"{TL}:not([hidden])[data-state=idle][data-step]")
    return page.locator(TL)


def _tiles(page: Any) -> list[str]:
    return page.eval_on_selector_all(f"{TL} .net-tl-tile", "cs => cs.map(c => c.toDataURL())")


def _scrub_to(page: Any, index: int) -> None:
    page.eval_on_selector(f"{TL} input[type=range]", "(r, i) => { r.value = String(i);"
                          " r.dispatchEvent(new Event('input')); }", index)


@pytest.mark.parametrize(("lang", "viewport"), [("en", (1280, 720)), ("ja", (1024, 768)),
                                                ("en", (390, 844))])
def test_scrub_the_colour_models_training(page: Any, server_url: str, shot: Any, lang: str,
                                          viewport: tuple[int, int]) -> None:
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    api = httpx.get(f"{server_url}/api/models/color-vgg/checkpoints").json()
    panel = _open(page, server_url, lang)
    assert panel.get_attribute("data-step") == str(api["steps"][-1])
    final = _tiles(page)
    assert len(final) == 16
    panel.scroll_into_view_if_needed()
    shot(page, f"timeline-final-{lang}-{viewport[0]}")
    _scrub_to(page, 0)
    page.wait_for_selector(f"{TL}[data-state=idle][data-step='0']")
    first = _tiles(page)
    assert first != final  # the filters changed during training
    status = panel.locator(".net-tl-status").inner_text()
    acc0 = f"{api['val_accuracy'][0] * 100:.1f}%"
    assert acc0 in status and ("Step 0 of" in status if lang == "en" else "ステップ 0 /" in status)
    shot(page, f"timeline-step0-{lang}-{viewport[0]}")
    _scrub_to(page, 5)
    step = api["steps"][5]
    page.wait_for_selector(f"{TL}[data-state=idle][data-step='{step}']")
    f = httpx.get(f"{server_url}/api/models/color-vgg/filters?step={step}").json()
    drawn = page.eval_on_selector(f"{TL} .net-tl-tile", "c => [c.width, c.height]")
    assert drawn == f["shape"][2:]
    assert panel.locator(".net-tl-maps img").count() == 16
    assert panel.locator(".net-tl-label").inner_text()


def test_play_walks_through_the_steps(page: Any, server_url: str) -> None:
    panel = _open(page, server_url, "en")
    panel.locator(".net-tl-play").click()  # at the end: play starts from step 0
    page.wait_for_selector(f"{TL}[data-step='2']")
    page.wait_for_selector(f"{TL}[data-step='6']")
    panel.locator(".net-tl-play").click()  # pause
    assert panel.locator(".net-tl-play").inner_text() == "Play"


def test_a_colour_filter_goes_to_the_3d_view_as_a_bank(page: Any, server_url: str,
                                                       shot: Any) -> None:
    _open(page, server_url, "en")
    rgb = page.locator("section[data-view=network] button.net-filter-rgb")
    assert rgb.count() == 16
    item = page.locator("section[data-view=network] .net-filter-item").nth(0)
    assert item.locator(".net-filter-channels canvas").count() == 3  # R, G, B beside the button
    rgb.nth(2).click()
    view = page.locator("section[data-view=conv3d]")
    page.wait_for_selector("section[data-view=conv3d][data-bank='color-vgg/conv1[2:6]']")
    page.wait_for_selector("section[data-view=conv3d] [data-role=check-3]")
    f = httpx.get(f"{server_url}/api/models/color-vgg/filters").json()
    assert view.locator("[data-role=fn]").input_value() == "4"
    assert view.locator("[data-role=size]").input_value() == "3"
    w = f["weights"]
    for sel, want in (('[data-role="w-0-0"] td[data-r="0"][data-c="0"]', w[2][0][0][0]),
                      ('[data-role="w-3-2"] td[data-r="2"][data-c="1"]', w[5][2][2][1])):
        got = view.locator(f"[data-role=bank] {sel}").get_attribute("data-v")
        assert float(got) == pytest.approx(want, abs=1e-6)
    got = view.locator("[data-role=bank] [data-role=bias-1]").input_value()
    assert float(got) == pytest.approx(f["bias"][3], abs=1e-6)
    shot(page, "timeline-conv3d-bank", full_page=False)
