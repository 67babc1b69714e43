"""`convscope serve` starts the web app: /api/health answers on the port it was given."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

from tests.live_server import live_server


def _serve(port: int) -> list[str]:
    cli = "import sys; from app.cli import main; sys.exit(main())"
    return [sys.executable, "-c", cli, "serve", "--port", str(port)]


def test_serve_answers_health_and_docs(tmp_path: Path) -> None:
    with live_server(_serve, tmp_path / "serve.log") as server:
        r = httpx.get(server.url + "/api/health", timeout=2)
        assert r.status_code == 200 and r.json()["status"] == "ok"
        docs = httpx.get(server.url + "/docs", timeout=5).text
        assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
