"""Shared state every worker sees: classes, uploaded models, images by hash, training runs.

Two backends behind one small interface: SQLite in the data directory (the embedded default:
`make run` and one `docker run` need nothing else) and Redis (`CONVSCOPE_REDIS_URL`) for
several replicas. Values are bytes; namespaces (`ns`) keep users apart; TTLs in seconds.

    put(ns, key, value, ttl=None, cap=None)   cap: keep only the `cap` newest keys of `ns`
    get(ns, key) -> bytes | None              None when absent or expired
    update(ns, key, change, ttl=None) -> bytes | None   atomic read-change-write of a live
                                              value (None, nothing written, when absent)
    delete(ns, key); keys(ns) -> list[str]    (newest last)
    incr(ns, key, ttl=None) -> int            atomic counter; the TTL starts at its first count
    append(channel, data, ttl=None) -> int    event log; ids 1, 2, 3 … per channel
    since(channel, after, limit) -> [(id, data)]   events with id > after, oldest first
    await wait(channel, after, timeout) -> [(id, data)]   as since(), waiting up to timeout
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.store.base import Event, Store

if TYPE_CHECKING:
    from app.config import Settings


def open_store(settings: Settings) -> Store:
    """Redis when `settings.redis_url` is set, else SQLite in `settings.data_dir`."""
    if settings.redis_url:
        from app.store.redis import RedisStore

        return RedisStore(settings.redis_url)
    from app.store.sqlite import SQLiteStore

    return SQLiteStore(settings.data_dir / "convscope.sqlite3")


__all__ = ["Event", "Store", "open_store"]
