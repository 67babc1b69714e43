"""The skeleton: health answers (the engine purity test is in tests/engine/test_purity.py)."""

from fastapi.testclient import TestClient

from app.config import __version__
from app.main import create_app


def test_health_reports_ok_and_version() -> None:
    with TestClient(create_app()) as client:
        r = client.get("/api/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "version": __version__}
