"""The gunicorn worker class of the production server: `app.server.worker.ConvScopeWorker`.

uvicorn-worker's UvicornWorker does not pass gunicorn's `limit_request_*` settings on to
uvicorn (they did nothing); this worker serves with `LimitedH11Protocol` configured from them
and from the CONVSCOPE_* settings (header/body timeouts, connection cap), and caps glibc's
malloc arenas at 2 (RSS returns near its baseline after a burst).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from typing import Any

from uvicorn_worker import UvicornWorker

from app.config import get_settings
from app.server.protocol import HttpLimits, LimitedH11Protocol

M_ARENA_MAX = -8  # glibc <malloc.h>


def limit_malloc_arenas(arenas: int) -> bool:
    """mallopt(M_ARENA_MAX, arenas): same effect as MALLOC_ARENA_MAX, set at run time."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # not glibc
        return False


def http_limits(cfg: Any) -> HttpLimits:
    """HttpLimits from gunicorn's config (request line/fields) and the CONVSCOPE_* settings."""
    s = get_settings()
    return HttpLimits(line=cfg.limit_request_line, fields=cfg.limit_request_fields,
                      field_size=cfg.limit_request_field_size,
                      head_bytes=s.max_header_bytes, header_timeout_s=s.header_timeout_s,
                      body_timeout_s=s.body_timeout_s, max_connections=s.max_connections,
                      retry_after_s=s.retry_after_s)


class ConvScopeWorker(UvicornWorker):
    """UvicornWorker (asyncio loop) serving HTTP/1.1 with LimitedH11Protocol."""

    CONFIG_KWARGS: dict[str, Any] = {"loop": "asyncio", "http": LimitedH11Protocol}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config.http_limits = http_limits(self.cfg)  # type: ignore[attr-defined]

    def init_process(self) -> None:
        if not limit_malloc_arenas(get_settings().malloc_arenas):
            logging.getLogger("uvicorn.error").info("mallopt(M_ARENA_MAX) not available")
        super().init_process()
