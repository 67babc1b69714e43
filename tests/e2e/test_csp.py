"""The Content-Security-Policy (app/api/security.py) blocks nothing the pages need: every view of
the lab, the webcam path and /docs run in Chromium without a single `securitypolicyviolation`."""

from __future__ import annotations

from typing import Any

import pytest

LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
  `${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
"""


def violations(page: Any) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_lab_views_run_under_the_policy(page: Any, server_url: str, shot: Any) -> None:
    page.add_init_script(LISTEN)
    response = page.goto(server_url + "/?lang=ja")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    tabs = page.get_by_role("tab")
    tabs.first.wait_for()
    for i in range(tabs.count()):
        tabs.nth(i).click()
        page.wait_for_load_state("networkidle")
    shot(page, "csp-last-view")
    assert violations(page) == []


@pytest.mark.parametrize("path", ["/docs"])
def test_docs_run_under_the_policy(page: Any, server_url: str, path: str) -> None:
    page.add_init_script(LISTEN)
    page.goto(server_url + path)
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 10
    assert violations(page) == []
