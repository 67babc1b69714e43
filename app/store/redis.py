"""The Redis store, for several replicas behind a load balancer (`CONVSCOPE_REDIS_URL`).

Values are plain keys with TTLs; each namespace keeps an index (a sorted set by creation time)
for `keys` and `cap`. An event channel is a stream whose ids are `n-0`, n from a counter, both
written by one Lua script so ids strictly increase however many servers append; `wait` blocks
in XREAD on an asyncio connection, so waiting costs no polling.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable
from typing import Any

import redis
import redis.asyncio as aredis

from app.store.base import Event

PREFIX = "convscope:"
MAX_EVENTS = 10_000  # per channel (approximately: XADD MAXLEN ~)

APPEND = """
local n = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], n .. '-0', 'd', ARGV[1])
if tonumber(ARGV[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return n
"""


def _ms(ttl: float | None) -> int | None:
    return None if ttl is None else max(1, int(ttl * 1000))


def _events(entries: list[tuple[bytes, dict[bytes, bytes]]]) -> list[Event]:
    return [(int(eid.split(b"-")[0]), fields[b"d"]) for eid, fields in entries]


MAX_WAITERS = 10_000  # concurrent wait() per process (Redis' own default maxclients)


class RedisStore:
    """Store on one Redis server; every process and replica sees the same state."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._r: Any = redis.Redis.from_url(url)  # redis-py's types are too loose for mypy
        self._append = self._r.register_script(APPEND)
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary())  # one asyncio client per event loop

    def _k(self, ns: str, key: str) -> str:
        return f"{PREFIX}kv:{ns}:{key}"

    def _index(self, ns: str) -> str:
        return f"{PREFIX}idx:{ns}"

    def put(self, ns: str, key: str, value: bytes, ttl: float | None = None,
            cap: int | None = None) -> None:
        pipe = self._r.pipeline()
        pipe.set(self._k(ns, key), bytes(value), px=_ms(ttl))
        pipe.zadd(self._index(ns), {key: time.time()})
        pipe.execute()
        if cap is not None:
            old = self._r.zrange(self._index(ns), 0, -(max(cap, 0) + 1))
            if old:
                pipe = self._r.pipeline()
                pipe.delete(*[self._k(ns, k.decode()) for k in old])
                pipe.zrem(self._index(ns), *old)
                pipe.execute()

    def get(self, ns: str, key: str) -> bytes | None:
        value = self._r.get(self._k(ns, key))
        return None if value is None else bytes(value)

    def update(self, ns: str, key: str, change: Callable[[bytes], bytes],
               ttl: float | None = None) -> bytes | None:
        """`change(value)` stored in place of the live value (WATCH/MULTI: retried if another
        client wrote the key meanwhile); None when absent."""
        name = self._k(ns, key)

        def attempt(pipe: Any) -> bytes | None:
            old = pipe.get(name)
            if old is None:
                return None
            new = bytes(change(bytes(old)))
            pipe.multi()
            pipe.set(name, new, px=_ms(ttl))
            return new

        result: bytes | None = self._r.transaction(attempt, name, value_from_callable=True)
        return result

    def delete(self, ns: str, key: str) -> None:
        pipe = self._r.pipeline()
        pipe.delete(self._k(ns, key))
        pipe.zrem(self._index(ns), key)
        pipe.execute()

    def keys(self, ns: str) -> list[str]:
        names = [k.decode() for k in self._r.zrange(self._index(ns), 0, -1)]
        if not names:
            return []
        pipe = self._r.pipeline()
        for k in names:
            pipe.exists(self._k(ns, k))
        flags = pipe.execute()
        gone = [k for k, f in zip(names, flags, strict=True) if not f]
        if gone:
            self._r.zrem(self._index(ns), *gone)
        return [k for k, f in zip(names, flags, strict=True) if f]

    def incr(self, ns: str, key: str, ttl: float | None = None) -> int:
        name = f"{PREFIX}n:{ns}:{key}"
        pipe = self._r.pipeline()
        pipe.incr(name)
        if ttl is not None:
            pipe.pexpire(name, _ms(ttl), nx=True)
        return int(pipe.execute()[0])

    def count(self, ns: str, key: str) -> int:
        """A counter's value without changing it (0 if absent or expired)."""
        raw = self._r.get(f"{PREFIX}n:{ns}:{key}")
        return 0 if raw is None else int(raw)

    def append(self, channel: str, data: bytes, ttl: float | None = None) -> int:
        keys = [f"{PREFIX}seq:{channel}", f"{PREFIX}ev:{channel}"]
        return int(self._append(keys=keys, args=[bytes(data), _ms(ttl) or 0, MAX_EVENTS]))

    def last(self, channel: str) -> int:
        """The id of the channel's newest event (0 before the first)."""
        raw = self._r.get(f"{PREFIX}seq:{channel}")
        return 0 if raw is None else int(raw)

    def since(self, channel: str, after: int, limit: int = 1000) -> list[Event]:
        entries = self._r.xrange(f"{PREFIX}ev:{channel}", f"({after}-0", "+", count=limit)
        return _events(entries)

    async def wait(self, channel: str, after: int, timeout: float) -> list[Event]:
        events = self.since(channel, after)
        if events or timeout <= 0:
            return events
        loop = asyncio.get_running_loop()
        client: Any = self._async.get(loop)
        if client is None:
            # no client-side read timeout (redis-py 8 defaults to 5 s): XREAD BLOCK ends on the
            # server after `timeout`, which may be longer (an SSE heartbeat of 15 s)
            # and one connection per blocked XREAD: redis-py 8's pool stops at 100 connections
            # (MaxConnectionsError), fewer than one class's event streams in one worker
            client = self._async[loop] = aredis.Redis.from_url(
                self.url, socket_timeout=None, max_connections=MAX_WAITERS)
        reply = await client.xread({f"{PREFIX}ev:{channel}": f"{after}-0"},
                                   block=max(1, int(timeout * 1000)), count=1000)
        return _events(reply[0][1]) if reply else []

    def close(self) -> None:
        self._r.close()
