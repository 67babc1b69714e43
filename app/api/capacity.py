"""Input-safety limits and overload control for the API.

- `BodySizeGuard`: a declared Content-Length above `max_body_bytes` → 413 in the error shape
  before any route runs. Bodies without Content-Length (chunked) are counted while they stream by
  FastAPI's own route-level limit (`include_router(..., max_body_size=...)`), which raises the
  413 that the error handlers reshape. Receiving and computing are admitted separately, both
  decided BEFORE the body is read (else 503 + Retry-After, the body discarded as it arrives,
  never held): a body declared larger than `small_body_bytes`, or chunked, takes a slot of the
  worker's `ReceiveBudget` (held until the request ends), and a request with a body is refused
  while every CPU slot is taken. Bytes held per worker ≤ max_receiving_bytes + max_connections ×
  small_body_bytes. A client gone mid-body is one log line; a full disk (ENOSPC) → 507.
- `CpuLimiter`: CPU work runs in a bounded thread pool; at most workers + queue requests are
  admitted, more → 503 with Retry-After; a request running past `request_timeout_s` → 504. A
  request's CPU slot is taken by its first `run_cpu` (not while its body arrives), kept for its
  later computations and released before the last byte of its response is sent.
(The compute budget, multiply-adds and values produced, is the planner's: app.services.plan.)
"""

from __future__ import annotations

import asyncio
import contextvars
import errno
import json
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from fastapi import FastAPI
from starlette.formparsers import MultiPartParser
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import install_error_handlers
from app.api.receiving import ReceiveBudget
from app.cancel import run_cancellable
from app.config import Settings
from app.errors import ApiError, error_body, prefers_japanese

T = TypeVar("T")
log = logging.getLogger("uvicorn.error")


class CpuLimiter:
    """A bounded thread pool with admission control (503 past capacity) and a time limit (504)."""

    def __init__(self, workers: int, queue: int, timeout_s: float, retry_after_s: int) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.capacity = self.workers + max(0, queue)
        self.timeout_s, self.retry_after_s = timeout_s, retry_after_s
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="convscope-cpu")
        self._lock = threading.Lock()
        self.admitted = 0

    def try_admit(self) -> bool:
        """Take one slot if one is free."""
        with self._lock:
            if self.admitted >= self.capacity:
                return False
            self.admitted += 1
            return True

    def release(self, _: object = None) -> None:
        with self._lock:
            self.admitted -= 1

    def overloaded(self) -> ApiError:
        return ApiError("overloaded", limit=self.capacity, retry_after_s=self.retry_after_s,
                        headers={"Retry-After": str(self.retry_after_s)})

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) in the pool; the slot is released when the thread finishes (even after 504).

        Inside a request seen by BodySizeGuard the computation uses that request's slot (taken
        by its first computation)."""
        ticket = _ticket.get()
        if ticket is not None and ticket.limiter is self:
            if not ticket.hold():
                raise self.overloaded()
            release: Callable[..., None] = ticket.drop
        elif self.try_admit():
            release = self.release
        else:
            raise self.overloaded()
        try:
            fut: Future[T] = self._pool.submit(contextvars.copy_context().run, run_cancellable,
                                               cancel := threading.Event(), fn, *args)
        except BaseException:
            release()
            raise
        fut.add_done_callback(release)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(fut), self.timeout_s)
        except TimeoutError:
            fut.cancel()
            cancel.set()  # the job stops at its next app.cancel.check(), freeing its slot
            raise ApiError("timeout", limit=self.timeout_s) from None

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class Ticket:
    """One request's CPU slot, taken by its first computation (`hold`), freed when the request
    has ended (`finish`) and all its threads are done (`drop`)."""

    def __init__(self, limiter: CpuLimiter) -> None:
        self.limiter, self.holders = limiter, 0
        self.admitted = self.finished = False

    def hold(self) -> bool:
        """One more holder (a thread about to run); False when the slot could not be taken."""
        with self.limiter._lock:
            if not self.admitted:
                if self.limiter.admitted >= self.limiter.capacity:
                    return False
                self.limiter.admitted += 1
                self.admitted, self.holders = True, 0 if self.finished else 1  # + the request
            self.holders += 1
            return True

    def drop(self, _: object = None) -> None:
        with self.limiter._lock:
            self.holders -= 1
            if self.holders == 0 and self.admitted:
                self.admitted = False
                self.limiter.admitted -= 1

    def finish(self) -> None:
        """The request has ended (or its response is complete): its own hold goes."""
        with self.limiter._lock:
            if self.finished:
                return
            self.finished = True
        if self.admitted:
            self.drop()


_current: contextvars.ContextVar[CpuLimiter | None] = contextvars.ContextVar("cpu", default=None)
_ticket: contextvars.ContextVar[Ticket | None] = contextvars.ContextVar("ticket", default=None)
_fallback: CpuLimiter | None = None


async def run_cpu(fn: Callable[..., T], *args: Any) -> T:
    """Run fn(*args) off the event loop in the current app's bounded pool (503/504 on overload)."""
    global _fallback
    limiter = _current.get()
    if limiter is None:
        _fallback = _fallback or CpuLimiter(0, 4, 30.0, 2)
        limiter = _fallback
    return await limiter.run(fn, *args)


def has_body(method: str, headers: dict[bytes, bytes]) -> bool:
    """True when the request carries a body (a non-zero Content-Length or Transfer-Encoding)."""
    declared = headers.get(b"content-length", b"0").strip()
    return method not in ("GET", "HEAD", "OPTIONS") and (
        b"transfer-encoding" in headers or declared not in (b"0", b""))


class BodySizeGuard:
    """ASGI middleware: Content-Length above the limit → 413 JSON; a request with a body is
    admitted to receiving (large or chunked bodies: the app's ReceiveBudget) and refused while
    the CpuLimiter is full, both before it is read (503 otherwise); binds the limiter and the
    request's lazily taken CPU slot."""

    def __init__(self, app: ASGIApp, max_body_bytes: int,
                 path_limits: dict[str, int] | None = None) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes
        self.path_limits = path_limits or {}  # larger limits for some POST paths (exact)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        declared = headers.get(b"content-length", b"").decode("latin-1").strip()
        ja = prefers_japanese(headers.get(b"accept-language", b"").decode("latin-1"))
        limit = self.path_limits.get(scope["path"], self.max_body_bytes)
        if declared.isdigit() and int(declared) > limit:
            await send_error(send, ApiError("body_too_large", field="body", limit=limit), ja)
            return
        state = scope["app"].state
        limiter: CpuLimiter | None = getattr(state, "cpu", None)
        budget: ReceiveBudget | None = getattr(state, "receiving", None)
        cost = 0
        if has_body(scope["method"], headers):
            cost = budget.cost(int(declared) if declared.isdigit() else None) if budget else 0
            if limiter is not None and limiter.admitted >= limiter.capacity:
                await self.refuse(receive, send, headers, limiter.overloaded(), ja)
                return
            if budget is not None and cost and not budget.try_take(cost):
                cost = 0
                await self.refuse(receive, send, headers, budget.busy(), ja)
                return
        ticket = Ticket(limiter) if limiter is not None else None

        def done() -> None:  # the request's slots are free: at its response's end, or its end
            nonlocal cost
            if ticket is not None:
                ticket.finish()
            if cost and budget is not None:
                budget.give_back(cost)
                cost = 0
        try:
            await self.run(scope, receive, send, limiter, ticket, done, ja)
        finally:
            done()

    async def refuse(self, receive: Receive, send: Send, headers: dict[bytes, bytes],
                     exc: ApiError, ja: bool) -> None:
        """503 before the body is read; the body is discarded as it arrives (never held) so that
        the client, still sending, reads the 503 rather than a reset; the connection stays."""
        expect = headers.get(b"expect", b"").lower() == b"100-continue"
        kept = not expect and await discard_body(receive, self.max_body_bytes)
        await send_error(send, exc, ja, close=not kept)

    async def run(self, scope: Scope, receive: Receive, send: Send, limiter: CpuLimiter | None,
                  ticket: Ticket | None, done: Callable[[], None], ja: bool) -> None:
        token, ticket_token = _current.set(limiter), _ticket.set(ticket)
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                done()  # free before the client can see the response and send again
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except ClientDisconnect:
            client = scope.get("client") or ("client", 0)
            log.info("%s:%s: client disconnected during %s %s; request dropped",
                     client[0], client[1], scope["method"], scope["path"])
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT) or started:
                raise
            log.warning("no space left for a request body: %s", exc)
            await send_error(send, ApiError("insufficient_storage",
                                            headers={"Retry-After": "30"}), ja)
        finally:
            _current.reset(token)
            _ticket.reset(ticket_token)


async def discard_body(receive: Receive, limit: int) -> bool:
    """Read and drop the request body; True when it ended within `limit` bytes (the connection
    can be kept), False on a disconnect or past the limit. Bounded in time by the server's body
    timeout and minimum rate."""
    seen = 0
    while seen <= limit:
        message = await receive()
        if message["type"] != "http.request":
            return False
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return seen <= limit
    return False


async def send_error(send: Send, exc: ApiError, ja: bool, close: bool = True) -> None:
    """An ApiError as a JSON response; `close` (the body may be unread) closes the connection."""
    body = json.dumps(error_body(exc.code, exc.message("ja" if ja else "en"), exc.field,
                                 exc.limit), ensure_ascii=False).encode()
    extra = [(k.lower().encode(), v.encode()) for k, v in (exc.headers or {}).items()]
    conn = [(b"connection", b"close")] if close else []
    await send({"type": "http.response.start", "status": exc.status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *conn, *extra]})
    await send({"type": "http.response.body", "body": body})


_blas_limits: Any = None


def pin_blas_threads() -> None:
    """One BLAS thread per worker process (the pool gives parallelism across requests)."""
    global _blas_limits
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return
    _blas_limits = threadpool_limits(limits=1)


def install_api(app: FastAPI, settings: Settings) -> None:
    """Error handlers, the body guard, the CPU limiter on app.state.cpu, the receive budget on
    app.state.receiving and BLAS pinning."""
    install_error_handlers(app)
    app.state.max_body_bytes = settings.max_body_bytes
    app.state.cpu = CpuLimiter(settings.cpu_workers, settings.cpu_queue,
                               settings.request_timeout_s, settings.retry_after_s)
    app.state.receiving = ReceiveBudget(settings.max_receiving, settings.max_receiving_bytes,
                                        settings.small_body_bytes, settings.max_body_bytes,
                                        settings.retry_after_s)
    onnx_limit = max(settings.max_body_bytes, settings.onnx_max_bytes + (1 << 20))
    app.add_middleware(BodySizeGuard, max_body_bytes=settings.max_body_bytes,
                       path_limits={"/api/models": onnx_limit})  # .onnx uploads
    # uploads stay in memory (never the container's tmpfs or a full disk): at most the bodies
    # being received or held, max_receiving_bytes + max_connections × small_body_bytes per worker
    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, onnx_limit)
    pin_blas_threads()
