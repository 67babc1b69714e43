"""Streams per address are counted in the shared store: the limit holds across two server
processes (SQLite file, redis-server), at LIMIT and LIMIT+1; a closed stream gives its slot back;
a slot expires by itself (a killed worker's streams)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.api.sse import SseSlots
from app.errors import ApiError
from app.store.sqlite import SQLiteStore
from tests.classroom.sse import Stream, start
from tests.classroom.test_workers import _env


async def _one_chunk() -> AsyncIterator[str]:
    yield "a"


def test_slots_at_limit_and_release_when_a_stream_ends(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    slots = SseSlots(store, limit=1)

    async def run() -> list[str]:
        return [chunk async for chunk in slots.guard("1.2.3.4", _one_chunk())]

    assert asyncio.run(run()) == ["a"]
    assert asyncio.run(run()) == ["a"]  # the first one's slot was given back
    assert slots.open("1.2.3.4") == 0
    held = slots.guard("1.2.3.4", _one_chunk())  # one stream open: the limit
    with pytest.raises(ApiError) as err:
        slots.guard("1.2.3.4", _one_chunk())
    assert err.value.code == "sse_limit" and err.value.limit == 1
    assert slots.open("1.2.3.4") == 1  # the refused one took nothing
    slots.guard("5.6.7.8", _one_chunk())  # another address is not affected
    assert held is not None


def test_a_slot_of_a_dead_worker_expires(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    slots = SseSlots(store, limit=1)
    slots.ttl = 0.2  # never started, never closed: as if its worker was killed
    slots.guard("1.2.3.4", _one_chunk())
    with pytest.raises(ApiError):
        slots.guard("1.2.3.4", _one_chunk())
    deadline = time.monotonic() + 5
    while slots.open("1.2.3.4") and time.monotonic() < deadline:
        time.sleep(0.05)
    slots.guard("1.2.3.4", _one_chunk())


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_limit_holds_across_two_processes(backend: str, tmp_path: Path,
                                          request: pytest.FixtureRequest) -> None:
    env = {**_env(backend, tmp_path, request), "CONVSCOPE_MAX_SSE_PER_ADDRESS": "2"}
    if backend == "redis":
        import redis

        redis.Redis.from_url(env["CONVSCOPE_REDIS_URL"]).delete(
            "convscope:idx:sse-slots:127.0.0.1")
    a, b = start(tmp_path / "a.log", env), start(tmp_path / "b.log", env)
    streams: list[Stream] = []
    try:
        c = httpx.post(a.url + "/api/classes").json()
        token = httpx.post(f"{a.url}/api/classes/{c['code']}/students", json={}
                           ).json()["student_token"]
        for srv in (a, b):  # LIMIT = 2: one on each process
            streams.append(Stream(f"{srv.url}/api/classes/{c['code']}/events", token))
            assert streams[-1].next()[1]["type"] == "state"
        for srv in (a, b):  # LIMIT + 1, on either process
            r = httpx.get(f"{srv.url}/api/classes/{c['code']}/events",
                          headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 429 and r.json()["error"]["code"] == "sse_limit"
        streams.pop(0).close()  # a stream on a ends: its slot is free for b
        deadline = time.monotonic() + 10
        while True:  # the server notices the closed connection a moment later
            again = Stream(f"{b.url}/api/classes/{c['code']}/events", token)
            if again.response.status_code != 429 or time.monotonic() > deadline:
                break
            again.close()
        streams.append(again)
        assert again.response.status_code == 200 and again.next()[1]["type"] == "state"
    finally:
        for s in streams:
            s.close()
        a.stop(), b.stop()
