"""The lab retries a request the server shed (503 + Retry-After), shows it in the loading badge,
lets a newer request supersede a waiting one, and shows the error after the last retry.

The shedding is made deterministic by Playwright's route interception: the first answers are
503 + Retry-After, the later ones go through to the real server.
"""

from __future__ import annotations

import json

from tests.e2e.lab_helpers import open_lab, renders, set_number, shapes, wait_render_after

URL = "**/api/convolve"
SHED = json.dumps({"error": {"code": "overloaded", "field": None, "limit": 6,
                             "message": "The server is busy (capacity 6); retry in 1 s."}})


def _shedding(page, seen: list[int], times: int, retry_after: str):
    """A route handler: the first `times` requests → 503 + Retry-After, then the real server."""

    def handle(route):
        seen.append(len(route.request.post_data_buffer or b""))  # the body sent each time
        if len(seen) <= times:
            route.fulfill(status=503, body=SHED, content_type="application/json",
                          headers={"Retry-After": retry_after})
        else:
            route.continue_()

    page.route(URL, handle)
    return handle


def test_shed_request_is_retried_and_rendered(page, server_url):
    page.allowed_console_errors.append("status of 503")
    open_lab(page, server_url)
    oh1 = shapes(page)["conv"][1]
    seen: list[int] = []
    _shedding(page, seen, times=2, retry_after="1")
    before = renders(page)
    set_number(page, "#lab-stride", 2)
    busy = page.locator(".loading-badge[data-busy='true']")
    busy.wait_for(state="visible")  # shown at the first 503, not after the 200 ms delay
    assert busy.inner_text() == "Server busy, retrying…"
    assert page.get_attribute("#lab-pipeline", "aria-busy") == "true"
    wait_render_after(page, before)
    assert len(seen) == 3 and seen[0] > 0 and len(set(seen)) == 1  # 503, 503, then through
    assert shapes(page)["conv"][1] == (oh1 - 1) // 2 + 1  # the stride-2 result is drawn
    assert "s=2" in page.url
    badge = page.locator(".loading-badge")
    assert badge.is_hidden() and badge.get_attribute("data-busy") is None
    assert badge.text_content() == "Computing…"  # the badge's own text is back
    assert page.locator("[data-error-for='general']").is_hidden()


def test_a_newer_request_supersedes_one_waiting_to_retry(page, server_url):
    page.allowed_console_errors.append("status of 503")
    open_lab(page, server_url)
    oh1 = shapes(page)["conv"][1]
    seen: list[int] = []
    _shedding(page, seen, times=1, retry_after="30")  # the retry would wait 30 s
    before = renders(page)
    set_number(page, "#lab-stride", 2)
    page.locator(".loading-badge[data-busy='true']").wait_for(state="visible")
    set_number(page, "#lab-stride", 3)  # the newer request aborts the waiting one
    wait_render_after(page, before)
    assert len(seen) == 2  # the shed stride-2 request and the stride-3 one, no retry
    assert shapes(page)["conv"][1] == (oh1 - 1) // 3 + 1
    assert page.locator(".loading-badge").is_hidden()
    assert page.get_attribute(".loading-badge", "data-busy") is None


def test_error_shown_after_the_last_retry(page, server_url):
    page.allowed_console_errors.append("status of 503")
    open_lab(page, server_url)
    seen: list[int] = []
    _shedding(page, seen, times=99, retry_after="0")
    set_number(page, "#lab-stride", 2)
    error = page.locator("[data-error-for='general']")
    error.wait_for(state="visible")
    assert "busy" in error.inner_text()
    assert len(seen) == 4  # the request and 3 retries (lib/api.js RETRIES)
    page.wait_for_selector('#lab-pipeline[aria-busy="false"]', state="attached")
    assert page.get_attribute(".loading-badge", "data-busy") is None
