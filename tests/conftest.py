"""Suite-wide: shared state goes to a throwaway data directory; a real redis-server on demand."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # app modules are imported after the data directory is set (below)
    from app.store import Store

# Before any app module reads its settings: the SQLite store of every test app lives here.
_DATA = tempfile.mkdtemp(prefix="convscope-test-data-")
os.environ.setdefault("CONVSCOPE_DATA_DIR", _DATA)
atexit.register(shutil.rmtree, _DATA, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A redis-server of our own on a free loopback port, stopped after the session.

    Missing binary: skipped locally, a failure under CI (CI=true), where .ci/run installs it.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is not installed (scripts/ensure-redis.sh installs it)")
        pytest.skip("redis-server is not installed (scripts/ensure-redis.sh installs it)")
    import redis

    port = _free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--protected-mode", "yes"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 10
    while True:  # until it answers PING (bounded)
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.02)
    client.close()
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The shared store on each backend: SQLite in tmp_path, and a flushed redis-server."""
    from app.store.redis import RedisStore
    from app.store.sqlite import SQLiteStore

    if request.param == "sqlite":
        s: Store = SQLiteStore(tmp_path / "s.sqlite3")
    else:
        url = request.getfixturevalue("redis_url")
        import redis

        redis.Redis.from_url(url).flushdb()
        s = RedisStore(url)
    yield s
    s.close()
