"""The shared store, on both backends against real servers: SQLite files and a redis-server."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest

from app.config import Settings
from app.store import Store, open_store
from app.store.redis import RedisStore
from app.store.sqlite import SQLiteStore
from tests.aio import run


def test_put_get_delete_keys(store: Store) -> None:
    assert store.get("ns", "a") is None
    store.put("ns", "a", b"1")
    store.put("ns", "b", b"\x00\xff")
    store.put("other", "a", b"x")
    assert store.get("ns", "a") == b"1" and store.get("ns", "b") == b"\x00\xff"
    assert store.keys("ns") == ["a", "b"]
    store.put("ns", "a", b"2")  # replace
    assert store.get("ns", "a") == b"2"
    store.delete("ns", "a")
    assert store.get("ns", "a") is None and store.keys("ns") == ["b"]
    assert store.get("other", "a") == b"x"


def test_ttl_expires(store: Store) -> None:
    store.put("t", "short", b"v", ttl=0.05)
    store.put("t", "long", b"v", ttl=60)
    assert store.get("t", "short") == b"v"
    deadline = time.monotonic() + 5
    while store.get("t", "short") is not None:  # bounded: expiry is the server's clock
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert store.keys("t") == ["long"]


def test_cap_keeps_the_newest(store: Store) -> None:
    for i in range(5):
        store.put("c", f"k{i}", b"v", cap=3)
    assert store.keys("c") == ["k2", "k3", "k4"]
    assert store.get("c", "k0") is None and store.get("c", "k4") == b"v"
    store.put("c", "k5", b"v", cap=3)  # at LIMIT+1 the oldest goes
    assert store.keys("c") == ["k3", "k4", "k5"]


def test_incr_counts_and_expires(store: Store) -> None:
    assert [store.incr("r", "ip", ttl=60) for _ in range(3)] == [1, 2, 3]
    assert store.incr("r", "other") == 1
    assert [store.count("r", k) for k in ("ip", "other", "none")] == [3, 1, 0]
    assert store.count("r", "ip") == 3  # reading does not count
    store.incr("r", "brief", ttl=0.05)
    deadline = time.monotonic() + 5
    while store.incr("r", "brief", ttl=0.05) != 1:  # restarts at 1 once its window is over
        assert time.monotonic() < deadline
        time.sleep(0.03)


def _plus_one(raw: bytes) -> bytes:
    return str(int(raw) + 1).encode()


def test_update_changes_a_live_value_in_place(store: Store) -> None:
    assert store.update("u", "none", _plus_one) is None
    assert store.get("u", "none") is None  # nothing written for an absent key
    store.put("u", "n", b"41")
    assert store.update("u", "n", _plus_one, ttl=60) == b"42"
    assert store.get("u", "n") == b"42" and store.keys("u") == ["n"]

    def refuse(raw: bytes) -> bytes:
        raise ValueError("no")

    with pytest.raises(ValueError):
        store.update("u", "n", refuse)
    assert store.get("u", "n") == b"42"  # a failing change writes nothing
    store.update("u", "n", _plus_one, ttl=0.05)
    deadline = time.monotonic() + 5
    while store.get("u", "n") is not None:  # the new TTL applies
        assert time.monotonic() < deadline
        time.sleep(0.03)


def test_concurrent_updates_lose_nothing(store: Store) -> None:
    """8 threads × 25 read-change-writes of one value: 200 (get + put loses some)."""
    from concurrent.futures import ThreadPoolExecutor

    store.put("u", "n", b"0")

    def bump(_: int) -> None:
        for _ in range(25):
            store.update("u", "n", _plus_one)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(bump, range(8)))
    assert store.get("u", "n") == b"200"


def test_events_in_order_and_since(store: Store) -> None:
    ids = [store.append("ch", f"e{i}".encode()) for i in range(5)]
    assert ids == [1, 2, 3, 4, 5]
    assert store.since("ch", 0) == [(i, f"e{i - 1}".encode()) for i in ids]
    assert store.since("ch", 3) == [(4, b"e3"), (5, b"e4")]
    assert store.since("ch", 1, limit=2) == [(2, b"e1"), (3, b"e2")]
    assert store.since("ch", 5) == [] and store.since("nothing", 0) == []


def test_wait_returns_new_events_or_times_out(store: Store) -> None:
    store.append("w", b"old")

    async def scenario() -> tuple[list[tuple[int, bytes]], list[tuple[int, bytes]], float]:
        import asyncio

        t0 = time.monotonic()
        empty = await store.wait("w", 1, timeout=0.2)
        waited = time.monotonic() - t0
        later = asyncio.get_running_loop().run_in_executor(None, store.append, "w", b"new")
        got = await store.wait("w", 1, timeout=10)
        await later
        return empty, got, waited

    empty, got, waited = run(scenario())
    assert empty == [] and waited >= 0.2
    assert got == [(2, b"new")]
    assert run(store.wait("w", 0, timeout=0)) == [(1, b"old"), (2, b"new")]


def _append_many(kind: str, where: str, n: int) -> None:
    s: Store = SQLiteStore(Path(where)) if kind == "sqlite" else RedisStore(where)
    for _ in range(n):
        s.append("shared", b"x")
        s.incr("shared", "count")
    s.close()


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_processes_share_one_sequence(kind: str, tmp_path: Path,
                                      request: pytest.FixtureRequest) -> None:
    """Two processes appending at once: ids 1…2n, none lost or repeated; counters agree."""
    where = (str(tmp_path / "p.sqlite3") if kind == "sqlite"
             else request.getfixturevalue("redis_url"))
    if kind == "redis":
        import redis

        redis.Redis.from_url(where).flushdb()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_many, args=(kind, where, 50)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    s: Store = SQLiteStore(Path(where)) if kind == "sqlite" else RedisStore(where)
    assert [i for i, _ in s.since("shared", 0)] == list(range(1, 101))
    assert s.incr("shared", "count") == 101
    s.close()


def test_open_store_picks_the_backend(tmp_path: Path, redis_url: str) -> None:
    sq = open_store(Settings(data_dir=tmp_path / "d"))
    assert isinstance(sq, SQLiteStore) and (tmp_path / "d" / "convscope.sqlite3").exists()
    sq.close()
    rd = open_store(Settings(data_dir=tmp_path / "d", redis_url=redis_url))
    assert isinstance(rd, RedisStore)
    rd.put("x", "y", b"z")
    assert rd.get("x", "y") == b"z"
    rd.close()


def test_last_is_the_newest_event_id(store: Store) -> None:
    assert store.last("ch-last") == 0
    assert [store.append("ch-last", b"x") for _ in range(3)] == [1, 2, 3]
    assert store.last("ch-last") == 3 and store.last("other-last") == 0
