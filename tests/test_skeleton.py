"""The skeleton: health answers, the engine imports without the web stack."""

import subprocess
import sys

from fastapi.testclient import TestClient

from app.main import create_app
from app.version import __version__


def test_health_reports_ok_and_version() -> None:
    with TestClient(create_app()) as client:
        r = client.get("/api/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "version": __version__}


def test_engine_import_pulls_in_neither_fastapi_nor_pillow() -> None:
    code = (
        "import sys, app.engine\n"
        "bad = [m for m in ('fastapi', 'PIL', 'starlette', 'pydantic') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
