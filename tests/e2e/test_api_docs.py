"""/docs renders offline: Swagger UI from static/vendor lists every operation and its errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

OPERATIONS = ["/api/health", "/api/kernels", "/api/geometry", "/api/convolve", "/api/pipeline",
              "/api/models/{model_id}/predict", "/api/models/{model_id}/filters",
              "/api/samples"]


def test_docs_render_without_any_request_off_the_server(server_url: str, page: Any,
                                                        shot: Callable[..., Any]) -> None:
    outside: list[str] = []
    page.on("request", lambda req: None if req.url.startswith(server_url)
            or req.url.startswith("data:") else outside.append(req.url))
    page.goto(server_url + "/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    for op in OPERATIONS:
        assert any(op in p.replace("\u200b", "") for p in paths), (op, paths)
    page.locator(".opblock-summary-path", has_text="/api/convolve").first.click()
    page.wait_for_selector(".opblock.is-open .responses-table")
    codes = page.locator(".opblock.is-open .response-col_status").all_inner_texts()
    assert {"200", "413", "415", "422", "503"} <= {c.strip() for c in codes}
    shot(page, "api-docs")
    assert outside == []
    assert httpx.get(server_url + "/redoc").status_code == 404  # ReDoc would need a CDN
