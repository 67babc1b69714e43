"""Fixtures for the REST API tests: an app per test, a client, settings overrides."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import get_settings
from app.main import create_app


@pytest.fixture
def app() -> FastAPI:
    return create_app()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def override(app: FastAPI) -> Callable[..., None]:
    """override(max_macs=36, ...): the routes see Settings with these values."""

    def apply(**values: object) -> None:
        settings = get_settings().model_copy(update=values)
        app.dependency_overrides[get_settings] = lambda: settings

    return apply
