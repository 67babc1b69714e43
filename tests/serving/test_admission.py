"""Admission before the body (issue 16 item 3): a request with a body takes its CPU slot before
a byte of the body is read (503 + Retry-After + close otherwise, body unread), its computations
use that slot, a client gone mid-body is one log line, a full disk is a 507.

The app is called as ASGI directly: `receive` records whether the body was read."""

from __future__ import annotations

import asyncio
import errno
import json
import logging

import pytest
from fastapi import FastAPI
from starlette.types import Message, Receive, Scope, Send

from app.api.capacity import BodySizeGuard, CpuLimiter
from app.main import create_app

BODY = json.dumps({"input": [[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]],
                   "spec": {"kernel": [[2, 0, 1], [0, 1, 2], [1, 0, 2]]}}).encode()


class Call:
    """One POST through the app; .status, .headers, .json and how many receive() calls ran."""

    def __init__(self, app: object, body: bytes, *, chunks: int = 1, disconnect: bool = False,
                 path: str = "/api/convolve", ctype: bytes = b"application/json",
                 expect: bool = False) -> None:
        self.app, self.body, self.chunks, self.disconnect = app, body, chunks, disconnect
        self.path, self.ctype, self.expect = path, ctype, expect
        self.received = 0
        self.messages: list[Message] = []
        self.admitted_at_send: list[int] = []

    async def receive(self) -> Message:
        self.received += 1
        if self.disconnect and self.received > 1:
            return {"type": "http.disconnect"}
        size = -(-len(self.body) // self.chunks)
        part = self.body[(self.received - 1) * size:self.received * size]
        return {"type": "http.request", "body": part, "more_body": self.received < self.chunks}

    async def send(self, message: Message) -> None:
        self.messages.append(message)
        cpu = getattr(getattr(self.app, "state", None), "cpu", None)
        self.admitted_at_send.append(cpu.admitted if cpu else -1)

    def run(self) -> Call:
        scope: Scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                        "method": "POST", "scheme": "http", "path": self.path, "raw_path":
                        self.path.encode(), "query_string": b"", "root_path": "",
                        "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000),
                        "headers": [(b"host", b"t"), (b"content-type", self.ctype),
                                    (b"content-length", str(len(self.body)).encode()),
                                    *([(b"expect", b"100-continue")] if self.expect else [])]}
        asyncio.run(self.app(scope, self.receive, self.send))  # type: ignore[operator]
        return self

    @property
    def status(self) -> int:
        return int(self.messages[0]["status"])

    @property
    def headers(self) -> dict[bytes, bytes]:
        return dict(self.messages[0]["headers"])

    @property
    def json(self) -> dict:
        return json.loads(b"".join(m.get("body", b"") for m in self.messages[1:]))


def app_with(workers: int, queue: int, taken: int) -> FastAPI:
    """The app with a CpuLimiter of workers + queue slots, `taken` of them already held."""
    app = create_app()
    app.state.cpu = CpuLimiter(workers, queue, timeout_s=30, retry_after_s=3)
    for _ in range(taken):
        assert app.state.cpu.try_admit()
    return app


def test_full_capacity_refuses_without_running_the_app() -> None:
    """Every slot taken (LIMIT): 503 before any route runs; the body is discarded as it arrives
    (so that a client still sending reads the 503, not a reset) and the connection is kept."""
    app = app_with(1, 1, taken=2)
    call = Call(app, BODY, chunks=3).run()
    assert call.status == 503 and call.received == 3  # read to the end, nothing parsed
    assert call.headers[b"retry-after"] == b"3" and b"connection" not in call.headers
    assert call.json["error"]["code"] == "overloaded" and call.json["error"]["limit"] == 2
    assert app.state.cpu.admitted == 2


def test_full_capacity_with_expect_100_continue_reads_nothing() -> None:
    """A client waiting for 100-continue is refused before it sends a byte of its body."""
    app = app_with(1, 1, taken=2)
    call = Call(app, BODY, expect=True).run()
    assert call.status == 503 and call.received == 0
    assert call.headers[b"connection"] == b"close"


def test_one_free_slot_admits_and_computes_in_it() -> None:
    app = app_with(1, 1, taken=1)  # LIMIT - 1 taken: the request gets the last slot...
    call = Call(app, BODY, chunks=3).run()
    # ...and its JSON parse and convolution run in that same slot (no second admission → 503)
    assert call.status == 200, call.json
    assert call.json["output"] == [[[[15, 16], [6, 15]]]] and call.received == 3
    assert app.state.cpu.admitted == 1  # its slot is free again


def test_slot_is_free_before_the_client_sees_the_response() -> None:
    """A keep-alive client may send its next request as soon as it reads the response: the
    slot must be back by then, or N clients on N slots would see 503s."""
    app = app_with(1, 0, taken=0)
    call = Call(app, BODY).run()
    assert call.status == 200
    assert call.admitted_at_send == [1, 0]  # held for the head, free when the body goes out


def test_bodiless_requests_are_not_admitted_here() -> None:
    app = app_with(1, 0, taken=1)
    call = Call(app, b"", path="/api/geometry").run()
    assert call.status != 503


def test_client_gone_mid_body_is_one_line(caplog: pytest.LogCaptureFixture) -> None:
    app = app_with(1, 1, taken=0)
    boundary = b"xx"
    body = (b"--xx\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n"
            b"Content-Type: image/png\r\n\r\n" + b"\x89PNG" * 5000)
    with caplog.at_level(logging.INFO, logger="uvicorn.error"):
        call = Call(app, body, chunks=4, disconnect=True,
                    ctype=b"multipart/form-data; boundary=" + boundary).run()
    assert call.messages == []  # nobody to answer
    lines = [r for r in caplog.records if r.name == "uvicorn.error"]
    assert len(lines) == 1 and lines[0].exc_info is None
    assert "client disconnected during POST /api/convolve" in lines[0].getMessage()
    assert app.state.cpu.admitted == 0


async def _full_disk(scope: Scope, receive: Receive, send: Send) -> None:
    await receive()
    raise OSError(errno.ENOSPC, "No space left on device")


def test_full_disk_is_507() -> None:
    call = Call(BodySizeGuard(_full_disk, max_body_bytes=100), b"abc")
    call.app = _with_state(call.app)
    call.run()
    assert call.status == 507 and call.json["error"]["code"] == "insufficient_storage"
    assert call.headers[b"retry-after"] == b"30"


def _with_state(inner):  # type: ignore[no-untyped-def]
    """The guard reads scope['app'].state.cpu: give it an app object with a limiter."""
    class _App:
        class state:  # noqa: N801
            cpu = CpuLimiter(1, 0, 30, 2)

    async def call(scope: Scope, receive: Receive, send: Send) -> None:
        await inner({**scope, "app": _App}, receive, send)
    return call


def test_uploads_are_spooled_in_memory_only() -> None:
    """A multipart part up to the body limit never goes to the temp dir (no tmpfs, no ENOSPC)."""
    from starlette.formparsers import MultiPartParser

    from app.config import get_settings
    create_app()
    assert MultiPartParser.spool_max_size >= get_settings().max_body_bytes
