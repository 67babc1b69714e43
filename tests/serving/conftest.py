"""Fixtures for the production-server tests: a real gunicorn (uvicorn workers, app.gunicorn_conf)
on a random loopback port, and a deterministically slow request.

Synchronisation is by polling observable state (health endpoint, /proc process table and CPU
time), never by sleeping a guessed amount.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from loadtest import server as serving
from loadtest.server import children

POLL_S = 0.02  # polling interval
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Test-only settings: budgets raised so that one request computes for seconds.
SLOW_ENV = {"CONVSCOPE_MAX_MACS": str(10**13), "CONVSCOPE_MAX_OUTPUT_VALUES": str(10**10),
            "CONVSCOPE_MAX_WORKING_VALUES": str(10**11)}


def wait_for(predicate: Callable[[], object], timeout_s: float, what: str) -> object:
    """Poll until predicate() is truthy; its value, or a failure naming `what`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(POLL_S)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class Server(serving.Server):
    """loadtest's gunicorn server, with waits on its workers' CPU time."""

    def workers(self) -> list[int]:
        return children(self.proc.pid)

    def wait_busy(self, pid: int, cpu_s: float = 0.3, timeout_s: float = 60) -> None:
        """Wait until worker pid has burnt cpu_s seconds of CPU: a request is computing."""
        start = cpu_seconds(pid)
        wait_for(lambda: cpu_seconds(pid) - start >= cpu_s, timeout_s, f"worker {pid} busy")

    def wait_idle(self, pid: int, window_s: float = 0.3, timeout_s: float = 60) -> None:
        """Wait until worker pid burns < 10 % CPU over a window: its computation finished."""
        def idle() -> bool:
            before = cpu_seconds(pid)
            time.sleep(window_s)  # the measurement window, not a synchronisation guess
            return cpu_seconds(pid) - before < 0.1 * window_s
        wait_for(idle, timeout_s, f"worker {pid} idle")


def start_gunicorn(tmp: Path, **env: str) -> Server:
    """gunicorn -c python:app.gunicorn_conf app.main:app (loadtest.server.launch, one worker),
    awaited on /api/health."""
    server = serving.launch(lambda port: tmp / f"gunicorn-{port}.log",
                            {"CONVSCOPE_WORKERS": "1", **env}, Server)
    wait_for(lambda: serving.healthy(server), 60, "gunicorn healthy")
    return server


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Factory: gunicorn(**env) starts a server; all are stopped at teardown."""
    started: list[Server] = []

    def factory(**env: str) -> Server:
        started.append(start_gunicorn(tmp_path, **env))
        return started[-1]
    yield factory
    for server in started:
        serving.stop(server, 30)


def slow_pipeline(side: int = 1024, layers: int = 6) -> dict:
    """httpx kwargs (files, data) of a multipart /api/pipeline request that computes for seconds
    (about 4 s here).

    A side×side gray gradient PNG (a few KB, so reading the body costs nothing) through `layers`
    random (not separable: no shortcut) 31×31 convolutions with pad 15: side² · 961
    multiply-adds per layer; the output is (1, 1, side, side). Needs SLOW_ENV's raised budgets.
    """
    g = (np.add.outer(np.arange(side), np.arange(side)) % 256).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(g).save(buf, "PNG")
    kernel = (np.random.default_rng(7).random((31, 31)) / 480).round(5).tolist()  # not separable
    spec = {"layers": [{"type": "conv", "kernel": kernel, "pad": 15}] * layers}
    return {"files": {"image": ("gradient.png", buf.getvalue(), "image/png")},
            "data": {"spec": json.dumps(spec)}}


BOOK_EXAMPLE = {"input": [[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]],
                "spec": {"kernel": [[2, 0, 1], [0, 1, 2], [1, 0, 2]]}}
BOOK_OUTPUT = [[[[15, 16], [6, 15]]]]
