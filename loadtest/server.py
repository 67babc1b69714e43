"""A production ConvScope server for the load, fuzz and hostile-input runs: gunicorn with
app.gunicorn_conf (uvicorn workers) on a free loopback port, plus /proc memory readings."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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
    return found


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


@contextmanager
def gunicorn(log: Path, timeout_s: float = 60, **env: str) -> Iterator[Server]:
    """Start gunicorn -c python:app.gunicorn_conf app.main:app; SIGTERM it on exit."""
    port = free_port()
    # MALLOC_ARENA_MAX=2 as in the image: fewer glibc malloc arenas for the CPU pool's threads,
    # so less fragmented RSS (it must be set before the server process starts).
    full_env = {"MALLOC_ARENA_MAX": "2", **os.environ, "HOST": "127.0.0.1", "PORT": str(port),
                "CONVSCOPE_ACCESS_LOG": "", **env}
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c",
                                 "python:app.gunicorn_conf", "app.main:app"],
                                cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", proc, log)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(server.url + "/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn not healthy in {timeout_s} s")
            time.sleep(0.1)  # polling interval while the server boots
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(40)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
