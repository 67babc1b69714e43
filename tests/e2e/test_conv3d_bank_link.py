"""A learned colour filter bank by reference in the 3-D view's URL (conv3d-bank=<model>/<layer>/
<from>): a link opens the view with exactly the filters the API gives for that slice, an edit
or another FN or size drops the key, and a value that names no colour bank is said in the view
(EN and JA) over the default bank, without a console error."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import numpy as np
import pytest
from test_views_conv3d import _bank
from views_helpers import open_view

VIEW = "conv3d"
SECTION = f'section[data-view="{VIEW}"]'
KEY = "conv3d-bank"


def _colour_model(server_url: str) -> str:
    models = httpx.get(f"{server_url}/api/models", timeout=30).json()["models"]
    return next(m["id"] for m in models if m["input_shape"][0] == 3)


def _filters(server_url: str, model: str, layer: str) -> dict[str, Any]:
    r = httpx.get(f"{server_url}/api/models/{model}/filters", params={"layer": layer}, timeout=30)
    r.raise_for_status()
    return r.json()


def _url_key(page: Any) -> str | None:
    return parse_qs(urlparse(page.url).query).get(KEY, [None])[0]


def _wait_bias(page: Any, f: int, want: float) -> None:
    """Until the view's computed probe line of filter f uses the bias `want` (the bank ran)."""
    page.wait_for_function(
        "([sel, f, b]) => { const l = document.querySelector(`${sel} [data-role=probe-${f}]`);"
        " return l !== null && Math.abs(Number(l.dataset.bias) - b) < 1e-6; }",
        arg=[SECTION, f, want], timeout=30_000)


@pytest.mark.parametrize("start", [3, 14])   # 4 filters; the last 2 of 16 (fewer at the end)
def test_a_link_opens_the_view_with_the_apis_filters(page: Any, server_url: str,
                                                     start: int) -> None:
    model = _colour_model(server_url)
    api = _filters(server_url, model, "conv1")
    fn, channels, k, _ = api["shape"]
    assert channels == 3 and fn == 16
    want_w = api["weights"][start:start + 4]
    want_b = api["bias"][start:start + 4]
    open_view(page, server_url, VIEW, query=f"&{KEY}={model}/conv1/{start}")
    page.wait_for_selector(f"{SECTION}[data-bank='{model}/conv1[{start}:{start + 4}]']")
    root = page.locator(SECTION)
    assert root.locator("[data-role=fn]").input_value() == str(len(want_w))
    assert root.locator("[data-role=size]").input_value() == str(k)
    got_w, got_b = _bank(root, len(want_w), k)
    np.testing.assert_allclose(got_w, want_w, atol=1e-6)
    np.testing.assert_allclose(got_b, want_b, atol=1e-6)
    _wait_bias(page, len(want_b) - 1, want_b[-1])   # the maps are the bank's
    assert root.get_attribute("data-bank-problem") is None
    assert root.locator("[data-role=bank-problem]").is_hidden()
    assert _url_key(page) == f"{model}/conv1/{start}"

    # a weight edited: the URL and data-bank no longer claim the learned bank
    weight = root.locator('[data-role="w-0-0"] td[data-r="1"][data-c="1"]')
    weight.click()
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => !document.querySelector('{SECTION}').hasAttribute('data-bank')")
    assert _url_key(page) is None
    assert float(weight.get_attribute("data-v")) == 7


def test_a_sent_bank_names_itself_in_the_url_until_fn_changes(page: Any, server_url: str) -> None:
    """The network view's pick sets the key (its first filter); another FN clears it."""
    model = _colour_model(server_url)
    page.goto(f"{server_url}/?view=network&lang=en&network-model={model}")
    page.wait_for_selector("section[data-view=network] button.net-filter-rgb")
    page.locator("section[data-view=network] button.net-filter-rgb").nth(6).click()
    page.wait_for_selector(f"{SECTION}[data-bank='{model}/conv1[6:10]']")
    assert _url_key(page) == f"{model}/conv1/6"
    assert "conv3d-fn=4" in page.url
    fn = page.locator(f"{SECTION} [data-role=fn]")
    fn.fill("3")
    fn.dispatch_event("change")
    page.wait_for_function(f"() => !document.querySelector('{SECTION}').hasAttribute('data-bank')")
    assert _url_key(page) is None and "conv3d-fn=3" in page.url


BAD = [  # value, reason, a word the message names
    ("not-a-bank", "badValue", "not-a-bank"),
    ("no-such-model/conv1/0", "model", "no-such-model"),
    ("onnx-gone1234/conv1/0", "model", "onnx-gone1234"),
    ("{model}/conv9/0", "layer", "conv9"),
    ("{model}/conv2/0", "channels", "conv2"),
    ("{model}/conv1/16", "range", "15"),
]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_value_naming_no_colour_bank_is_said_over_the_default_bank(
        page: Any, server_url: str, lang: str, shot: Any) -> None:
    model = _colour_model(server_url)
    said = set()
    for value, reason, word in BAD:
        value = value.format(model=model)
        open_view(page, server_url, VIEW, lang=lang, query=f"&{KEY}={value}")
        page.wait_for_selector(f"{SECTION}[data-bank-problem='{reason}']")
        root = page.locator(SECTION)
        line = root.locator("[data-role=bank-problem]")
        text = line.inner_text()
        assert line.is_visible() and word in text, (value, text)
        assert ("default filters" in text) if lang == "en" else ("既定のフィルター" in text)
        said.add(text)
        assert root.get_attribute("data-bank") is None and _url_key(page) is None
        # the default bank: FN = 2, Sobel x in every channel of filter 1
        assert root.locator("[data-role=fn]").input_value() == "2"
        w, b = _bank(root, 2, 3)
        assert w[0][2] == [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]] and b == [0, 0.1]
        assert root.locator("[data-role=error]").inner_text() == ""
    assert len(said) == len(BAD)
    shot(page, f"conv3d-bank-link-problem-{lang}")
    # the student's own edit: the message about the link is no longer shown
    page.locator(f'{SECTION} [data-role="bias-1"]').fill("0.3")
    page.wait_for_selector(f"{SECTION} [data-role=bank-problem]", state="hidden")
    assert page.locator(SECTION).get_attribute("data-bank-problem") is None
