"""app.api.server.worker: gunicorn's limits reach the protocol; glibc malloc is tuned; idle trim."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from app.api.server import worker
from tests import aio


def test_http_limits_come_from_gunicorn_and_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVSCOPE_HEADER_TIMEOUT_S", "7")
    monkeypatch.setenv("CONVSCOPE_MAX_CONNECTIONS", "33")
    worker.get_settings.cache_clear()
    try:
        cfg = SimpleNamespace(limit_request_line=100, limit_request_fields=5,
                              limit_request_field_size=50)
        limits = worker.http_limits(cfg)
    finally:
        worker.get_settings.cache_clear()
    assert (limits.line, limits.fields, limits.field_size) == (100, 5, 50)
    assert (limits.header_timeout_s, limits.body_timeout_s, limits.max_connections) == (7, 30, 33)


def test_tune_malloc_on_glibc() -> None:
    assert worker.tune_malloc(2, 1 << 20) is (worker._libc() is not None)


class FakeLibc:
    def __init__(self) -> None:
        self.trims = 0

    def malloc_trim(self, pad: int) -> int:
        self.trims += 1
        raise asyncio.CancelledError  # end the loop after the first trim


def test_trim_only_after_requests_and_when_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    libc = FakeLibc()
    monkeypatch.setattr(worker, "_libc", lambda: libc)

    class State:  # 5 requests served; busy at the first 2 looks, idle at the third
        looks = 0

        @property
        def total_requests(self) -> int:
            self.looks += 1
            return 5

        @property
        def tasks(self) -> set[int]:
            return {1} if self.looks <= 2 else set()

    state = State()
    with pytest.raises(asyncio.CancelledError):
        aio.run(asyncio.wait_for(worker.trim_when_idle(state, 0), 30))
    assert libc.trims == 1 and state.looks == 4  # 3 looks, then the count it trimmed at
