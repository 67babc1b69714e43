"""The one live-server helper: start uvicorn, gunicorn (app.gunicorn_conf) or a given command
serving app.main:app on a free 127.0.0.1 port, wait until GET /api/health answers 200 (polling;
a server that exits fails at once with its log), stop it (SIGTERM, then SIGKILL).

Used by tests/e2e/conftest.py, tests/serving/conftest.py (through loadtest/server.py),
tests/test_security_headers.py, tests/cli/test_serve.py and the load/fuzz runs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx

ROOT = Path(__file__).resolve().parents[1]
POLL_S = 0.1  # polling interval while a server boots


def free_port() -> int:
    """A port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def uvicorn_command(port: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
            "--port", str(port), "--log-level", "warning"]


def gunicorn_command(port: int) -> list[str]:
    """The production server; HOST and PORT come from the environment (app.gunicorn_conf)."""
    return [sys.executable, "-m", "gunicorn", "-c", "python:app.gunicorn_conf", "app.main:app"]


COMMANDS: dict[str, Callable[[int], list[str]]] = {"uvicorn": uvicorn_command,
                                                   "gunicorn": gunicorn_command}


@dataclass
class LiveServer:
    """A server process, its base URL (no trailing slash) and its log file."""

    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def healthy(self) -> bool:
        """True once /api/health answers 200; RuntimeError (with the log) if the process exited."""
        if self.proc.poll() is not None:
            raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
        try:
            return httpx.get(self.url + "/api/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_healthy(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while not self.healthy():
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not healthy in {timeout_s} s:\n{self.log_tail()}")
            time.sleep(POLL_S)

    def stop(self, wait_s: float = 10) -> None:
        """SIGTERM (graceful shutdown), then SIGKILL after wait_s seconds."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(wait_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


S = TypeVar("S", bound=LiveServer)


def launch(kind: str | Callable[[int], list[str]], log: Path | Callable[[int], Path], *,
           env: Mapping[str, str] | None = None, server_cls: type[S] = LiveServer  # type: ignore[assignment]
           ) -> S:
    """Start the server (not yet awaited): kind "uvicorn", "gunicorn" or command(port); env goes
    over os.environ (plus HOST, PORT); its output goes to log (or log(port))."""
    port = free_port()
    command = COMMANDS[kind] if isinstance(kind, str) else kind
    path = log(port) if callable(log) else log
    path.parent.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "PYTHONUNBUFFERED": "1",
                "CONVSCOPE_ACCESS_LOG": "", **(env or {})}
    with path.open("wb") as out:
        proc = subprocess.Popen(command(port), cwd=ROOT, env=full_env, stdout=out,
                                stderr=subprocess.STDOUT)
    return server_cls(f"http://127.0.0.1:{port}", proc, path)


@contextmanager
def live_server(kind: str | Callable[[int], list[str]], log: Path | Callable[[int], Path], *,
                env: Mapping[str, str] | None = None, timeout_s: float = 60,
                stop_wait_s: float = 10, server_cls: type[S] = LiveServer  # type: ignore[assignment]
                ) -> Iterator[S]:
    """A healthy server for the duration of the block; stopped on exit."""
    server = launch(kind, log, env=env, server_cls=server_cls)
    try:
        server.wait_healthy(timeout_s)
        yield server
    finally:
        server.stop(stop_wait_s)
