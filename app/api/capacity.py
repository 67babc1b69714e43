"""Input-safety limits and overload control for the API.

- `BodySizeGuard`: a declared Content-Length above `max_body_bytes` → 413 in the error shape
  before any route runs. Bodies without Content-Length (chunked) are counted while they stream by
  FastAPI's own route-level limit (`include_router(..., max_body_size=...)`), which raises the
  413 that the error handlers reshape.
- `CpuLimiter`: CPU work runs in a bounded thread pool; at most workers + queue requests are
  admitted, more → 503 with Retry-After; a request running past `request_timeout_s` → 504.
(The compute budget, multiply-adds and values produced, is the planner's: app.services.plan.)
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.errors import install_error_handlers
from app.config import Settings
from app.errors import ApiError, error_body, prefers_japanese

T = TypeVar("T")


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
        """fn(*args) in the pool; the slot is released when the thread finishes (even after 504)."""
        if not self.try_admit():
            raise self.overloaded()
        try:
            fut: Future[T] = self._pool.submit(contextvars.copy_context().run, fn, *args)
        except BaseException:
            self.release()
            raise
        fut.add_done_callback(self.release)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(fut), self.timeout_s)
        except TimeoutError:
            fut.cancel()
            raise ApiError("timeout", limit=self.timeout_s) from None

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


_current: contextvars.ContextVar[CpuLimiter | None] = contextvars.ContextVar("cpu", default=None)
_fallback: CpuLimiter | None = None


async def run_cpu(fn: Callable[..., T], *args: Any) -> T:
    """Run fn(*args) off the event loop in the current app's bounded pool (503/504 on overload)."""
    global _fallback
    limiter = _current.get()
    if limiter is None:
        _fallback = _fallback or CpuLimiter(0, 4, 30.0, 2)
        limiter = _fallback
    return await limiter.run(fn, *args)


class BodySizeGuard:
    """ASGI middleware: Content-Length above the limit → 413 JSON; binds the app's CpuLimiter."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        declared = headers.get(b"content-length", b"").decode("latin-1").strip()
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            ja = prefers_japanese(headers.get(b"accept-language", b"").decode("latin-1"))
            await _send_413(send, self.max_body_bytes, ja)
            return
        token = _current.set(getattr(scope["app"].state, "cpu", None))
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)


async def _send_413(send: Send, limit: int, ja: bool) -> None:
    import json

    err = ApiError("body_too_large", field="body", limit=limit)
    body = json.dumps(error_body(err.code, err.message("ja" if ja else "en"), err.field, limit),
                      ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
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
    """Error handlers, the body guard, the CPU limiter on app.state.cpu and BLAS pinning."""
    install_error_handlers(app)
    app.state.max_body_bytes = settings.max_body_bytes
    app.state.cpu = CpuLimiter(settings.cpu_workers, settings.cpu_queue,
                               settings.request_timeout_s, settings.retry_after_s)
    app.add_middleware(BodySizeGuard, max_body_bytes=settings.max_body_bytes)
    pin_blas_threads()
