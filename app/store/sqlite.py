"""The embedded store: one SQLite file (WAL) shared by every worker process of one server.

Each thread has its own connection. Writes that must be atomic (counters, event ids) run in
`BEGIN IMMEDIATE` transactions, so two processes never hand out the same id. `wait` polls one
tiny table (`seq`: channel → last id) for the whole process, every POLL_S, whatever the number of
waiters, and wakes the waiters whose channel moved.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from app.store.base import Event

POLL_S = 0.05  # how often a process looks for new events while someone waits
PURGE_S = 30.0  # expired rows are deleted at most this often (reads ignore them anyway)

SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (ns TEXT, key TEXT, value BLOB, expires REAL, created REAL,
                               PRIMARY KEY (ns, key));
CREATE TABLE IF NOT EXISTS counters (ns TEXT, key TEXT, n INTEGER, expires REAL,
                                     PRIMARY KEY (ns, key));
CREATE TABLE IF NOT EXISTS seq (channel TEXT PRIMARY KEY, last INTEGER);
CREATE TABLE IF NOT EXISTS events (channel TEXT, id INTEGER, data BLOB, expires REAL,
                                   PRIMARY KEY (channel, id));
"""
LIVE = "(expires IS NULL OR expires > ?)"


def _expiry(ttl: float | None, now: float) -> float | None:
    return None if ttl is None else now + ttl


class SQLiteStore:
    """Store on one SQLite file; safe across threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._writer = threading.Lock()
        self._purged = 0.0
        self._watchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Watcher] = (
            weakref.WeakKeyDictionary())
        self._db().executescript(SCHEMA)

    # --- connections ---------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None,
                                 check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        with self._writer:  # one writer per process: threads queue here, not in SQLite's
            db.execute("BEGIN IMMEDIATE")  # busy handler (it sleeps up to 100 ms per retry)
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _purge(self, db: sqlite3.Connection, now: float) -> None:
        if now - self._purged < PURGE_S:
            return
        self._purged = now
        for table in ("kv", "counters", "events"):
            db.execute(f"DELETE FROM {table} WHERE expires IS NOT NULL AND expires <= ?", (now,))

    # --- values ---------------------------------------------------------------------------
    def put(self, ns: str, key: str, value: bytes, ttl: float | None = None,
            cap: int | None = None) -> None:
        now = time.time()
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO kv VALUES (?, ?, ?, ?, ?)",
                       (ns, key, bytes(value), _expiry(ttl, now), now))
            if cap is not None:
                db.execute("DELETE FROM kv WHERE ns = ? AND key NOT IN (SELECT key FROM kv "
                           "WHERE ns = ? ORDER BY created DESC, rowid DESC LIMIT ?)",
                           (ns, ns, max(cap, 0)))
            self._purge(db, now)

    def get(self, ns: str, key: str) -> bytes | None:
        row = self._db().execute(f"SELECT value FROM kv WHERE ns = ? AND key = ? AND {LIVE}",
                                 (ns, key, time.time())).fetchone()
        return None if row is None else bytes(row[0])

    def update(self, ns: str, key: str, change: Callable[[bytes], bytes],
               ttl: float | None = None) -> bytes | None:
        """`change(value)` stored in place of the live value, in one write transaction (other
        writers wait); None when absent. An exception in `change` writes nothing."""
        now = time.time()
        with self._tx() as db:
            row = db.execute(f"SELECT value FROM kv WHERE ns = ? AND key = ? AND {LIVE}",
                             (ns, key, now)).fetchone()
            if row is None:
                return None
            new = bytes(change(bytes(row[0])))
            db.execute("UPDATE kv SET value = ?, expires = ? WHERE ns = ? AND key = ?",
                       (new, _expiry(ttl, now), ns, key))
        return new

    def delete(self, ns: str, key: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM kv WHERE ns = ? AND key = ?", (ns, key))

    def keys(self, ns: str) -> list[str]:
        rows = self._db().execute(f"SELECT key FROM kv WHERE ns = ? AND {LIVE} "
                                  "ORDER BY created, rowid", (ns, time.time())).fetchall()
        return [r[0] for r in rows]

    def incr(self, ns: str, key: str, ttl: float | None = None) -> int:
        now = time.time()
        with self._tx() as db:
            row = db.execute(f"SELECT n FROM counters WHERE ns = ? AND key = ? AND {LIVE}",
                             (ns, key, now)).fetchone()
            if row is None:
                db.execute("INSERT OR REPLACE INTO counters VALUES (?, ?, 1, ?)",
                           (ns, key, _expiry(ttl, now)))
                return 1
            db.execute("UPDATE counters SET n = n + 1 WHERE ns = ? AND key = ?", (ns, key))
            return int(row[0]) + 1

    def count(self, ns: str, key: str) -> int:
        """A counter's value without changing it (0 if absent or expired)."""
        row = self._db().execute(f"SELECT n FROM counters WHERE ns = ? AND key = ? AND {LIVE}",
                                 (ns, key, time.time())).fetchone()
        return 0 if row is None else int(row[0])

    # --- events ---------------------------------------------------------------------------
    def append(self, channel: str, data: bytes, ttl: float | None = None) -> int:
        now = time.time()
        with self._tx() as db:
            db.execute("INSERT INTO seq VALUES (?, 1) ON CONFLICT (channel) "
                       "DO UPDATE SET last = last + 1", (channel,))
            (n,) = db.execute("SELECT last FROM seq WHERE channel = ?", (channel,)).fetchone()
            db.execute("INSERT INTO events VALUES (?, ?, ?, ?)",
                       (channel, n, bytes(data), _expiry(ttl, now)))
            self._purge(db, now)
        return int(n)

    def last(self, channel: str) -> int:
        """The id of the channel's newest event (0 before the first)."""
        row = self._db().execute("SELECT last FROM seq WHERE channel = ?", (channel,)).fetchone()
        return 0 if row is None else int(row[0])

    def since(self, channel: str, after: int, limit: int = 1000) -> list[Event]:
        rows = self._db().execute(
            f"SELECT id, data FROM events WHERE channel = ? AND id > ? AND {LIVE} "
            "ORDER BY id LIMIT ?", (channel, after, time.time(), limit)).fetchall()
        return [(int(i), bytes(d)) for i, d in rows]

    async def wait(self, channel: str, after: int, timeout: float) -> list[Event]:
        deadline = time.monotonic() + timeout
        watch = self._watcher()
        while True:
            events = self.since(channel, after)
            left = deadline - time.monotonic()
            if events or left <= 0:
                return events
            await watch.moved(channel, left)

    def _watcher(self) -> _Watcher:
        loop = asyncio.get_running_loop()
        watch = self._watchers.get(loop)
        if watch is None:
            watch = self._watchers[loop] = _Watcher(self._db)
        return watch

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


class _Watcher:
    """One per event loop: polls `seq` every POLL_S while someone waits; wakes moved channels."""

    def __init__(self, db: Callable[[], sqlite3.Connection]) -> None:
        self._db = db
        self._latest: dict[str, int] = {}
        self._wakeups: dict[str, asyncio.Event] = {}
        self._waiting = 0
        self._task: asyncio.Task[None] | None = None

    async def moved(self, channel: str, timeout: float) -> None:
        """Return when `channel`'s last id changes (or after `timeout` seconds)."""
        wake = self._wakeups.setdefault(channel, asyncio.Event())
        self._waiting += 1
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._poll())
        try:
            await asyncio.wait_for(wake.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            self._waiting -= 1

    async def _poll(self) -> None:
        while self._waiting > 0:
            await asyncio.sleep(POLL_S)
            for channel, last in self._db().execute("SELECT channel, last FROM seq"):
                if last != self._latest.get(channel):
                    self._latest[channel] = last
                    wake = self._wakeups.pop(channel, None)
                    if wake is not None:
                        wake.set()
