"""The gunicorn worker class of the production server: `app.api.server.worker.ConvScopeWorker`.

uvicorn-worker's UvicornWorker does not pass gunicorn's `limit_request_*` settings on to
uvicorn (they did nothing); this worker serves with `LimitedH11Protocol` configured from them
and from the CONVSCOPE_* settings (header/body timeouts, connection cap). It also keeps glibc's
malloc from holding memory after a burst: 2 arenas, a fixed mmap threshold, and
malloc_trim(0) when the worker goes idle (RSS returns near its baseline).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import sys
from typing import Any

from gunicorn.arbiter import Arbiter
from uvicorn.server import Server
from uvicorn_worker import UvicornWorker

from app.api.server.http_limits import HttpLimits
from app.api.server.protocol import LimitedH11Protocol
from app.config import get_settings

M_ARENA_MAX, M_MMAP_THRESHOLD = -8, -3  # glibc <malloc.h>


def _libc() -> Any:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def tune_malloc(arenas: int, mmap_threshold: int) -> bool:
    """glibc: at most `arenas` malloc arenas (as MALLOC_ARENA_MAX, at run time) and a fixed
    mmap threshold (blocks ≥ it, e.g. NumPy arrays, go back to the OS when freed instead of
    fragmenting the heap); 0 leaves glibc's default. False when this is not glibc."""
    libc = _libc()
    if libc is None:
        return False
    if arenas > 0:
        libc.mallopt(M_ARENA_MAX, arenas)
    if mmap_threshold > 0:
        libc.mallopt(M_MMAP_THRESHOLD, mmap_threshold)
    return True


async def trim_when_idle(state: Any, period_s: float) -> None:
    """Every period_s: if requests were served since the last look and none is in flight,
    malloc_trim(0) hands free heap pages back to the OS (RSS returns near its baseline)."""
    libc, seen = _libc(), 0
    while libc is not None:
        await asyncio.sleep(period_s)  # the trimming period
        if state.total_requests != seen and not state.tasks:
            seen = state.total_requests
            libc.malloc_trim(0)


def http_limits(cfg: Any) -> HttpLimits:
    """HttpLimits from gunicorn's config (request line/fields) and the CONVSCOPE_* settings."""
    s = get_settings()
    return HttpLimits(line=cfg.limit_request_line, fields=cfg.limit_request_fields,
                      field_size=cfg.limit_request_field_size,
                      head_bytes=s.max_header_bytes, header_timeout_s=s.header_timeout_s,
                      body_timeout_s=s.body_timeout_s, body_min_rate=s.body_min_rate,
                      max_connections=s.max_connections,
                      retry_after_s=s.retry_after_s)


class ConvScopeWorker(UvicornWorker):  # type: ignore[misc]
    """UvicornWorker (asyncio loop) serving HTTP/1.1 with LimitedH11Protocol."""

    CONFIG_KWARGS: dict[str, Any] = {"loop": "asyncio", "http": LimitedH11Protocol}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config.http_limits = http_limits(self.cfg)

    def init_process(self) -> None:
        s = get_settings()
        if not tune_malloc(s.malloc_arenas, s.malloc_mmap_threshold):
            logging.getLogger("uvicorn.error").info("not glibc: malloc left as it is")
        super().init_process()

    async def _serve(self) -> None:
        """UvicornWorker._serve plus the idle malloc_trim task."""
        self.config.app = self.wsgi
        server = Server(config=self.config)
        self._install_sigquit_handler()
        period = get_settings().malloc_trim_s
        trimmer = asyncio.create_task(trim_when_idle(server.server_state, period)) \
            if period > 0 else None
        await server.serve(sockets=self.sockets)
        if trimmer is not None:
            trimmer.cancel()
        if not server.started:
            sys.exit(Arbiter.WORKER_BOOT_ERROR)
