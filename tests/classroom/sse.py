"""A small blocking SSE reader for the live-server tests (httpx, every read bounded by a timeout)
and helpers to start servers with the exercises stand-in."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.live_server import LiveServer, launch

READ_TIMEOUT_S = 10.0  # a read that waits longer fails the test (streams ping every second)


def fake_exercises_server(port: int) -> list[str]:
    return [sys.executable, "-m", "tests.classroom.fake_exercises", str(port)]


def start(log: Path, env: dict[str, str]) -> LiveServer:
    """A healthy uvicorn (exercises faked) on a free port with this env (store settings)."""
    server = launch(fake_exercises_server, log,
                    env={"CONVSCOPE_SSE_HEARTBEAT_S": "1", **env})
    server.wait_healthy(60)
    return server


class Stream:
    """GET …/events as (id, event) pairs; comments and `retry:` lines are skipped."""

    def __init__(self, url: str, token: str, last_event_id: int | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self._client = httpx.Client(timeout=httpx.Timeout(READ_TIMEOUT_S))
        self._cm = self._client.stream("GET", url, headers=headers)
        self.response = self._cm.__enter__()
        self._lines = self.response.iter_lines()
        self.pings = 0

    def next(self) -> tuple[int, dict[str, Any]]:
        """The next event (StopIteration when the server ended the stream)."""
        event_id, data = None, None
        for line in self._lines:
            if line.startswith("id: "):
                event_id = int(line[4:])
            elif line.startswith("data: "):
                data = line[6:]
            elif line.startswith(":"):
                self.pings += 1
            elif line == "" and data is not None:
                assert event_id is not None
                return event_id, json.loads(data)
        raise StopIteration

    def take(self, n: int) -> list[tuple[int, dict[str, Any]]]:
        return [self.next() for _ in range(n)]

    def close(self) -> None:
        self._cm.__exit__(None, None, None)
        self._client.close()
