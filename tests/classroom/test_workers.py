"""Two server processes sharing one store (one SQLite file; one redis-server): a class made on
one is served by the other, and a process restart (stop, start again) loses nothing: the class,
its students and answers stay, and a stream reconnecting with Last-Event-ID to the new process
receives every event sent meanwhile through the other one."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.classroom.fake_exercises import right_answer
from tests.classroom.sse import Stream, start


def _env(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    if backend == "redis":
        return {"CONVSCOPE_REDIS_URL": request.getfixturevalue("redis_url"),
                "CONVSCOPE_DATA_DIR": str(tmp_path / "unused")}
    return {"CONVSCOPE_DATA_DIR": str(tmp_path / "data"), "CONVSCOPE_REDIS_URL": ""}


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_two_processes_and_a_restart_lose_nothing(backend: str, tmp_path: Path,
                                                  request: pytest.FixtureRequest) -> None:
    env = _env(backend, tmp_path, request)
    a = start(tmp_path / "a.log", env)
    b = start(tmp_path / "b.log", env)
    streams: list[Stream] = []
    try:
        c = httpx.post(a.url + "/api/classes").json()
        code, teacher = c["code"], {"Authorization": f"Bearer {c['teacher_token']}"}
        student = httpx.post(f"{b.url}/api/classes/{code}/students", json={}).json()
        on_b = Stream(f"{b.url}/api/classes/{code}/events", student["student_token"])
        streams.append(on_b)
        assert on_b.next()[1]["type"] == "state"
        r = httpx.post(f"{a.url}/api/classes/{code}/scene", json={"scene": {"n": 1}},
                       headers=teacher)
        assert on_b.next() == (r.json()["event_id"], {"type": "scene", "scene": {"n": 1}})
        last = r.json()["event_id"]
        on_b.close()

        a.stop()  # a worker goes away; the teacher goes on through b
        ex = httpx.post(f"{b.url}/api/classes/{code}/exercise", json={"kind": "out-size",
                        "seed": 2}, headers=teacher).json()
        a = start(tmp_path / "a2.log", env)  # … and comes back

        again = Stream(f"{a.url}/api/classes/{code}/events", student["student_token"],
                       last_event_id=last)
        streams.append(again)
        event_id, event = again.next()
        assert event_id == last + 1 and event["type"] == "exercise"
        assert event["exercise"]["id"] == ex["id"]
        r = httpx.post(f"{a.url}/api/classes/{code}/answers",
                       json={"exercise_id": ex["id"], "answer": right_answer(2)},
                       headers={"Authorization": f"Bearer {student['student_token']}"})
        assert r.status_code == 200 and r.json()["correct"] is True
        res = httpx.get(f"{b.url}/api/classes/{code}/results", headers=teacher).json()
        assert (res["students"], res["answered"], res["correct"]) == (1, 1, 1)
    finally:
        for s in streams:
            s.close()
        a.stop(), b.stop()


@pytest.mark.slow
def test_redis_wait_longer_than_the_clients_socket_timeout(redis_url: str) -> None:
    """A stream's wait (the heartbeat, 15 s by default) may outlast redis-py 8's default 5 s
    socket timeout: it must return [] after the wait, not raise TimeoutError."""
    import asyncio

    from app.store.redis import RedisStore

    store = RedisStore(redis_url)
    try:
        assert asyncio.run(store.wait("class:idle", 0, timeout=5.5)) == []
    finally:
        store.close()


@pytest.mark.slow
def test_redis_more_waiters_than_redis_py_pool_default(redis_url: str) -> None:
    """A class has up to 200 streams in one worker: 150 concurrent waits all get the event
    (redis-py 8's asyncio pool stops at 100 connections with MaxConnectionsError)."""
    import asyncio

    from app.store.redis import RedisStore

    store = RedisStore(redis_url)

    import redis as sync_redis

    admin = sync_redis.Redis.from_url(redis_url)

    async def scenario() -> list[object]:
        waits = [asyncio.create_task(store.wait("class:crowd", 0, timeout=8.0))
                 for _ in range(150)]
        for _ in range(200):  # until the waiters block in XREAD (a state, polled; ≤ 8 s)
            await asyncio.sleep(0.04)
            if admin.info("clients")["blocked_clients"] >= 100 or all(t.done() for t in waits):
                break
        store.append("class:crowd", b"x")
        return list(await asyncio.gather(*waits, return_exceptions=True))

    try:
        results = asyncio.run(scenario())
        assert [r for r in results if isinstance(r, Exception)] == []
        assert all(r == [(1, b"x")] for r in results)
    finally:
        store.close()
        admin.close()
