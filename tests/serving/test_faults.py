"""Faults under the production server (gunicorn + uvicorn workers, app.gunicorn_conf):
a worker killed mid-request is replaced; a request running past the time limits ends in a clean
504 without killing the worker; SIGTERM lets an in-flight request finish.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable

import httpx
import pytest

from .conftest import BOOK_EXAMPLE, BOOK_OUTPUT, SLOW_ENV, Server, slow_pipeline, wait_for

pytestmark = pytest.mark.slow


class InFlight:
    """One POST running in a background thread; .response or .error once done."""

    def __init__(self, url: str, request: dict) -> None:
        self.response: httpx.Response | None = None
        self.error: Exception | None = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(url, request), daemon=True)
        self.thread.start()

    def _run(self, url: str, request: dict) -> None:
        try:
            self.response = httpx.post(url, **request, timeout=120)
        except httpx.HTTPError as exc:
            self.error = exc
        finally:
            self.done.set()

    def wait(self, timeout_s: float = 120) -> None:
        assert self.done.wait(timeout_s), "the in-flight request never ended"


def book_example_ok(server: Server) -> None:
    r = httpx.post(server.url + "/api/convolve", json=BOOK_EXAMPLE, timeout=30)
    assert r.status_code == 200
    assert r.json()["output"] == BOOK_OUTPUT


def test_killed_worker_is_replaced(gunicorn: Callable[..., Server]) -> None:
    server = gunicorn(**SLOW_ENV)
    [worker] = server.workers()
    request = InFlight(server.url + "/api/pipeline", slow_pipeline())
    server.wait_busy(worker)
    os.kill(worker, signal.SIGKILL)
    request.wait()
    assert request.response is None and isinstance(request.error, httpx.TransportError)
    new = wait_for(lambda: [p for p in server.workers() if p != worker], 60, "a new worker")
    assert worker not in server.workers() and len(new) == 1
    wait_for(lambda: _health(server), 60, "health after the restart")
    book_example_ok(server)
    assert server.proc.poll() is None


def test_request_past_the_time_limit_gets_a_clean_504(gunicorn: Callable[..., Server]) -> None:
    """The app's limit (CONVSCOPE_REQUEST_TIMEOUT_S) sits below the worker timeout: the client
    gets a 504 in the error shape, and the worker, whose event loop stays free while the pool
    thread computes, is not killed even when the computation outlives the worker timeout."""
    server = gunicorn(**SLOW_ENV, CONVSCOPE_REQUEST_TIMEOUT_S="0.5", CONVSCOPE_WORKER_TIMEOUT="2")
    [worker] = server.workers()
    r = httpx.post(server.url + "/api/pipeline", **slow_pipeline(), timeout=60)
    assert r.status_code == 504
    error = r.json()["error"]
    assert error["code"] == "timeout" and error["limit"] == 0.5
    assert r.headers["content-type"].startswith("application/json")
    server.wait_idle(worker)  # the abandoned computation ran on past the 2 s worker timeout
    assert server.workers() == [worker]
    book_example_ok(server)


def test_sigterm_lets_in_flight_requests_finish(gunicorn: Callable[..., Server]) -> None:
    server = gunicorn(**SLOW_ENV, CONVSCOPE_GRACEFUL_TIMEOUT="60")
    [worker] = server.workers()
    request = InFlight(server.url + "/api/pipeline", slow_pipeline())
    server.wait_busy(worker)
    server.proc.send_signal(signal.SIGTERM)
    request.wait()
    assert request.error is None and request.response is not None
    assert request.response.status_code == 200
    assert request.response.json()["shape"] == [1, 1, 1024, 1024]
    assert server.proc.wait(60) == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url + "/api/health", timeout=2)


def _health(server: Server) -> bool:
    try:
        return httpx.get(server.url + "/api/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
