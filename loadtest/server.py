"""A production ConvScope server for the load, fuzz and hostile-input runs: gunicorn with
app.gunicorn_conf (uvicorn workers) on a free loopback port, plus /proc memory readings.

`launch` / `healthy` / `stop` are shared with tests/serving/conftest.py (which polls `healthy`
with its own wait and subclasses `Server`); `gunicorn` is the context manager of the runs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def pids(self) -> list[int]:
        return [self.proc.pid, *children(self.proc.pid)]

    def rss(self) -> int:
        """RSS of the master and every worker, in bytes."""
        return sum(rss_bytes(p) for p in self.pids())


S = TypeVar("S", bound=Server)


def launch(log_for: Callable[[int], Path], env: dict[str, str], server_cls: type[S]) -> S:
    """Start gunicorn -c python:app.gunicorn_conf app.main:app on a free loopback port (not yet
    awaited); env goes over os.environ; its output goes to log_for(port)."""
    port = free_port()
    log = log_for(port)
    full_env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "CONVSCOPE_ACCESS_LOG": "",
                **env}
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c",
                                 "python:app.gunicorn_conf", "app.main:app"],
                                cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    return server_cls(f"http://127.0.0.1:{port}", proc, log)


def healthy(server: Server) -> bool:
    """True once /api/health answers 200; RuntimeError (with the log's tail) if gunicorn exited."""
    if server.proc.poll() is not None:
        raise RuntimeError(f"gunicorn exited:\n{server.log.read_text()[-3000:]}")
    try:
        return httpx.get(server.url + "/api/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def stop(server: Server, wait_s: float) -> None:
    """SIGTERM (graceful shutdown), then SIGKILL after wait_s seconds."""
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.proc.wait(wait_s)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()


@contextmanager
def gunicorn(log: Path, timeout_s: float = 60, **env: str) -> Iterator[Server]:
    """Start gunicorn -c python:app.gunicorn_conf app.main:app; SIGTERM it on exit."""
    # MALLOC_ARENA_MAX=2 as in the image: fewer glibc malloc arenas for the CPU pool's threads,
    # so less fragmented RSS (it must be set before the server process starts).
    arenas = os.environ.get("MALLOC_ARENA_MAX", "2")
    server = launch(lambda _port: log, {"MALLOC_ARENA_MAX": arenas, **env}, Server)
    try:
        deadline = time.monotonic() + timeout_s
        while not healthy(server):
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn not healthy in {timeout_s} s")
            time.sleep(0.1)  # polling interval while the server boots
        yield server
    finally:
        stop(server, 40)
