"""Admission before the body (issue 16 items 1 and 3): receiving and computing are admitted
separately, both before a byte of the body is read (503 + Retry-After otherwise, the body
discarded, never held). A body declared above small_body_bytes (or chunked) takes a slot of the
worker's receive budget; the CPU slot is taken by the request's first computation, kept for the
others and free before the response goes out; a client gone mid-body is one log line, a full
disk is a 507.

The app is called as ASGI directly: `receive` records whether the body was read and what was
taken while it was."""

from __future__ import annotations

import asyncio
import errno
import json
import logging

import pytest
from fastapi import FastAPI
from starlette.types import Message, Receive, Scope, Send

from app.api.capacity import BodySizeGuard, CpuLimiter
from app.config import Settings
from app.main import create_app
from tests import aio

BODY = json.dumps({"input": [[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]],
                   "spec": {"kernel": [[2, 0, 1], [0, 1, 2], [1, 0, 2]]}}).encode()


class Call:
    """One POST through the app; .status, .headers, .json and how many receive() calls ran."""

    def __init__(self, app: object, body: bytes, *, chunks: int = 1, disconnect: bool = False,
                 path: str = "/api/convolve", ctype: bytes = b"application/json",
                 expect: bool = False, chunked: bool = False,
                 gate: asyncio.Event | None = None) -> None:
        self.app, self.body, self.chunks, self.disconnect = app, body, chunks, disconnect
        self.path, self.ctype, self.expect, self.chunked = path, ctype, expect, chunked
        self.gate = gate  # the body's last chunk waits for it: an upload still arriving
        self.received = 0
        self.messages: list[Message] = []
        self.admitted_at_send: list[int] = []
        self.taken_at_send: list[tuple[int, int]] = []  # (CPU slots, uploads) at each send
        self.while_receiving: list[tuple[int, int]] = []  # (CPU slots, uploads) at each receive

    def taken(self) -> tuple[int, int]:
        state = getattr(self.app, "state", None)
        cpu, rec = getattr(state, "cpu", None), getattr(state, "receiving", None)
        return (cpu.admitted if cpu else -1, rec.count if rec else -1)

    async def receive(self) -> Message:
        self.received += 1
        self.while_receiving.append(self.taken())
        if self.gate is not None and self.received == self.chunks:
            await self.gate.wait()
        if self.disconnect and self.received > 1:
            return {"type": "http.disconnect"}
        size = -(-len(self.body) // self.chunks)
        part = self.body[(self.received - 1) * size:self.received * size]
        return {"type": "http.request", "body": part, "more_body": self.received < self.chunks}

    async def send(self, message: Message) -> None:
        self.messages.append(message)
        self.admitted_at_send.append(self.taken()[0])
        self.taken_at_send.append(self.taken())

    def run(self) -> Call:
        aio.run(self.arun())
        return self

    async def arun(self) -> Call:
        length = [(b"transfer-encoding", b"chunked")] if self.chunked else \
            [(b"content-length", str(len(self.body)).encode())]
        scope: Scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                        "method": "POST", "scheme": "http", "path": self.path, "raw_path":
                        self.path.encode(), "query_string": b"", "root_path": "",
                        "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000),
                        "headers": [(b"host", b"t"), (b"content-type", self.ctype), *length,
                                    *([(b"expect", b"100-continue")] if self.expect else [])]}
        await self.app(scope, self.receive, self.send)  # type: ignore[operator]
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


def app_with(workers: int, queue: int, taken: int, uploads: int = 0, upload_bytes: int = 0,
             **settings: int) -> FastAPI:
    """The app with a CpuLimiter of workers + queue slots, `taken` of them already held, and
    `uploads` receive slots (of `upload_bytes` declared bytes each) already held."""
    app = create_app(Settings(**settings))  # type: ignore[arg-type]
    app.state.cpu = CpuLimiter(workers, queue, timeout_s=30, retry_after_s=3)
    for _ in range(taken):
        assert app.state.cpu.try_admit()
    for _ in range(uploads):
        assert app.state.receiving.try_take(upload_bytes)
    return app


LARGE = {"small_body_bytes": len(BODY) - 1}  # BODY is a large body (LIMIT + 1)
SMALL = {"small_body_bytes": len(BODY)}  # BODY is a small body (LIMIT)


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


# --- receiving and computing are admitted separately -------------------------------------------

def test_a_small_body_needs_no_receive_slot() -> None:
    """Content-Length at small_body_bytes (LIMIT): admitted even with every receive slot taken."""
    app = app_with(1, 1, taken=0, uploads=2, upload_bytes=10, max_receiving=2, **SMALL)
    call = Call(app, BODY, chunks=3).run()
    assert call.status == 200 and call.json["output"] == [[[[15, 16], [6, 15]]]]
    assert call.while_receiving == [(0, 2)] * 3  # neither a CPU slot nor an upload slot
    assert (app.state.cpu.admitted, app.state.receiving.count) == (0, 2)


def test_a_large_body_takes_a_receive_slot_and_no_cpu_slot() -> None:
    """Content-Length at small_body_bytes + 1: one receive slot (its declared bytes) while the
    body arrives, no CPU slot; the CPU slot comes with the computation; both free at the end."""
    app = app_with(1, 0, taken=0, max_receiving=1, **LARGE)
    call = Call(app, BODY, chunks=3).run()
    assert call.status == 200 and call.json["output"] == [[[[15, 16], [6, 15]]]]
    assert call.while_receiving == [(0, 1)] * 3
    # computed in one CPU slot; both slots free before the response's body goes out
    assert call.taken_at_send == [(1, 1), (0, 0)]
    assert (app.state.cpu.admitted, app.state.receiving.count, app.state.receiving.bytes) == \
        (0, 0, 0)


def test_a_chunked_body_takes_a_receive_slot_counted_at_the_body_limit() -> None:
    app = app_with(1, 0, taken=0, max_receiving=1, **SMALL)
    call = Call(app, BODY, chunks=2, chunked=True).run()
    assert call.status == 200 and call.while_receiving == [(0, 1)] * 2
    assert app.state.receiving.count == 0
    full = app_with(1, 0, taken=0, uploads=1, max_receiving=1, **SMALL)
    assert Call(full, BODY, chunked=True).run().status == 503


@pytest.mark.parametrize(("held", "status"), [(1, 200), (2, 503)])
def test_receive_slots_at_limit_and_limit_plus_one(held: int, status: int) -> None:
    """max_receiving = 2: the 2nd large upload (LIMIT) is admitted, the 3rd (LIMIT + 1) gets 503
    too_many_uploads + Retry-After before the app runs; its body is discarded as it arrives and
    the connection kept."""
    app = app_with(1, 0, taken=0, uploads=held, max_receiving=2, **LARGE)
    call = Call(app, BODY, chunks=3).run()
    assert call.status == status and call.received == 3
    if status == 503:
        assert call.json["error"]["code"] == "too_many_uploads"
        assert call.json["error"]["limit"] == 2  # Retry-After: the setting retry_after_s
        assert call.headers[b"retry-after"] == b"2" and b"connection" not in call.headers
        assert call.while_receiving == [(0, 2)] * 3  # discarding: nothing more taken
    assert (app.state.cpu.admitted, app.state.receiving.count) == (0, held)


@pytest.mark.parametrize(("total", "status"), [(100 + len(BODY), 200), (99 + len(BODY), 503)])
def test_receive_bytes_at_limit_and_limit_plus_one(total: int, status: int) -> None:
    """max_receiving_bytes: 100 declared bytes already arriving + this body = LIMIT admitted,
    LIMIT + 1 refused."""
    app = app_with(1, 0, taken=0, uploads=1, upload_bytes=100, max_receiving=0,
                   max_receiving_bytes=total, **LARGE)
    call = Call(app, BODY).run()
    assert call.status == status, call.json
    assert app.state.receiving.bytes == 100


def test_one_upload_is_always_admitted() -> None:
    """A body above max_receiving_bytes alone (but within max_body_bytes) is still received."""
    app = app_with(1, 0, taken=0, max_receiving_bytes=1, **LARGE)
    assert Call(app, BODY).run().status == 200


def test_expect_100_continue_refused_by_the_receive_budget_reads_nothing() -> None:
    app = app_with(1, 0, taken=0, uploads=1, max_receiving=1, **LARGE)
    call = Call(app, BODY, expect=True).run()
    assert call.status == 503 and call.received == 0
    assert call.headers[b"connection"] == b"close"


@pytest.mark.parametrize(("cpu_taken", "status", "code"),
                         [(0, 200, None), (1, 200, None), (2, 503, "overloaded")])
def test_small_request_with_the_receive_budget_full(cpu_taken: int, status: int,
                                                    code: str | None) -> None:
    """Every receive slot held by an upload still arriving: a small JSON convolve is answered
    while a CPU slot is free (0 and 1 of 2 taken); with every CPU slot taken (the computations of
    other requests) it is 503 overloaded, never too_many_uploads."""
    app = app_with(1, 1, taken=cpu_taken, uploads=4, upload_bytes=1 << 20, max_receiving=4,
                   **SMALL)
    call = Call(app, BODY).run()
    assert call.status == status
    if code is None:
        assert call.json["output"] == [[[[15, 16], [6, 15]]]]
    else:
        assert call.json["error"]["code"] == code
    assert (app.state.cpu.admitted, app.state.receiving.count) == (cpu_taken, 4)


def test_uploads_in_flight_hold_no_cpu_slot() -> None:
    """One event loop, as a worker: as many large uploads as there are CPU slots, each stopped
    before its last chunk; while they are all arriving a small request computes and answers 200,
    then the uploads finish and compute too."""
    async def scenario() -> tuple[list[Call], Call, tuple[int, int]]:
        app = app_with(1, 1, taken=0, max_receiving=2, small_body_bytes=len(BODY) + 10)
        gate = asyncio.Event()
        large = BODY + b" " * 11  # small_body_bytes + 1
        uploads = [Call(app, large, chunks=2, gate=gate) for _ in range(2)]
        tasks = [asyncio.create_task(u.arun()) for u in uploads]
        for _ in range(1000):  # event-loop turns, bounded
            if sum(u.received for u in uploads) == 4:  # both wait for their last chunk
                break
            await asyncio.sleep(0)  # yield to the uploads (not a timed wait)
        during = (app.state.cpu.admitted, app.state.receiving.count)
        small = await Call(app, BODY).arun()
        third = await Call(app, large).arun()  # the receive budget is full (LIMIT + 1)
        assert third.status == 503 and third.json["error"]["code"] == "too_many_uploads"
        gate.set()
        await asyncio.gather(*tasks)
        return uploads, small, during

    uploads, small, during = aio.run(scenario())
    assert during == (0, 2)
    assert small.status == 200 and small.json["output"] == [[[[15, 16], [6, 15]]]]
    assert [u.status for u in uploads] == [200, 200]
    assert uploads[0].json["output"] == [[[[15, 16], [6, 15]]]]


def test_cpu_full_when_the_computation_starts_is_503() -> None:
    """Admitted at the head (a CPU slot free), but every slot taken by the time the body has
    arrived: the computation is refused with 503 overloaded + Retry-After, nothing held."""
    app = app_with(1, 0, taken=0, **SMALL)

    class Racing(Call):
        async def receive(self) -> Message:
            if self.received == 0:
                assert app.state.cpu.try_admit()  # another request starts computing
            return await super().receive()

    call = Racing(app, BODY).run()
    assert call.status == 503 and call.json["error"]["code"] == "overloaded"
    assert call.headers[b"retry-after"] == b"3"
    assert app.state.cpu.admitted == 1


def test_client_gone_mid_large_body_frees_its_receive_slot(
        caplog: pytest.LogCaptureFixture) -> None:
    app = app_with(1, 1, taken=0, **LARGE)
    with caplog.at_level(logging.INFO, logger="uvicorn.error"):
        call = Call(app, BODY, chunks=3, disconnect=True).run()
    assert call.messages == [] and call.while_receiving[0] == (0, 1)
    assert len([r for r in caplog.records if r.name == "uvicorn.error"]) == 1
    assert (app.state.cpu.admitted, app.state.receiving.count, app.state.receiving.bytes) == \
        (0, 0, 0)
