"""A production ConvScope server for the load, fuzz and hostile-input runs: gunicorn with
app.gunicorn_conf (uvicorn workers) on a free loopback port, plus /proc memory readings.

Starting, awaiting and stopping is tests/live_server.py's (the one live-server helper);
`launch` / `healthy` / `stop` are shared with tests/serving/conftest.py (which polls `healthy`
with its own wait and subclasses `Server`); `gunicorn` is the context manager of the runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from tests.live_server import ROOT, LiveServer, live_server
from tests.live_server import launch as launch_server

__all__ = ["ROOT", "Server", "children", "gunicorn", "healthy", "launch", "rss_bytes", "stop"]


def children(pid: int) -> list[int]:
    """PIDs whose parent is pid, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def rss_bytes(pid: int) -> int:
    """Resident set size of one process (VmRSS), 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Server(LiveServer):
    """A live gunicorn, with its process tree's memory."""

    def pids(self) -> list[int]:
        return [self.proc.pid, *children(self.proc.pid)]

    def rss(self) -> int:
        """RSS of the master and every worker, in bytes."""
        return sum(rss_bytes(p) for p in self.pids())


S = TypeVar("S", bound=Server)


def launch(log_for: Callable[[int], Path], env: dict[str, str], server_cls: type[S]) -> S:
    """Start gunicorn -c python:app.gunicorn_conf app.main:app on a free loopback port (not yet
    awaited; tests.live_server.launch); env goes over os.environ; output to log_for(port)."""
    return launch_server("gunicorn", log_for, env=env, server_cls=server_cls)


def healthy(server: Server) -> bool:
    """True once /api/health answers 200; RuntimeError (with the log's tail) if gunicorn exited."""
    return server.healthy()


def stop(server: Server, wait_s: float) -> None:
    """SIGTERM (graceful shutdown), then SIGKILL after wait_s seconds."""
    server.stop(wait_s)


@contextmanager
def gunicorn(log: Path, timeout_s: float = 60, **env: str) -> Iterator[Server]:
    """Start gunicorn -c python:app.gunicorn_conf app.main:app; SIGTERM it on exit."""
    # MALLOC_ARENA_MAX=2 as in the image: fewer glibc malloc arenas for the CPU pool's threads,
    # so less fragmented RSS (it must be set before the server process starts).
    arenas = os.environ.get("MALLOC_ARENA_MAX", "2")
    with live_server("gunicorn", log, env={"MALLOC_ARENA_MAX": arenas, **env},
                     timeout_s=timeout_s, stop_wait_s=40, server_cls=Server) as server:
        yield server
