"""`convscope serve` starts the web app: /api/health answers on the port it was given."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_health_and_docs() -> None:
    port = _free_port()
    cli = "import sys; from app.cli import main; sys.exit(main())"
    proc = subprocess.Popen([sys.executable, "-c", cli, "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            try:
                r = httpx.get(url + "/api/health", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "convscope serve did not answer in 60 s"
                time.sleep(0.1)  # polling interval while the server boots
        assert r.status_code == 200 and r.json()["status"] == "ok"
        assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in httpx.get(url + "/docs").text
    finally:
        proc.terminate()
        proc.wait(10)
