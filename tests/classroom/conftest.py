"""Classroom fixtures: an app on a throwaway SQLite store with issue 12's API faked, a client,
settings overrides, and helpers to create a class and join it."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings, get_settings
from app.main import create_app
from tests.classroom import fake_exercises


@pytest.fixture(autouse=True)
def _fake_exercises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "app.services.exercises", fake_exercises)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return get_settings().model_copy(update={"data_dir": tmp_path / "data"})


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def override(app: FastAPI, settings: Settings) -> Callable[..., None]:
    """override(max_students=2, ...): the routes see these settings."""

    def apply(**values: object) -> None:
        changed = settings.model_copy(update=values)
        app.dependency_overrides[get_settings] = lambda: changed

    return apply


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_class(client: TestClient) -> dict[str, Any]:
    r = client.post("/api/classes")
    assert r.status_code == 201, r.text
    return dict(r.json())


def join(client: TestClient, code: str, nickname: str | None = None) -> str:
    r = client.post(f"/api/classes/{code}/students", json={"nickname": nickname})
    assert r.status_code == 201, r.text
    return str(r.json()["student_token"])
