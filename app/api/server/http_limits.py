"""The limits of app/api/server/protocol.py as data, and the check of a complete request head.

`check_request` → the first limit a head breaks as a `Refusal` (status, code, en/ja message
from the error catalogue, limit): the request line (414), the header count and each
"name: value" line (431), and Content-Length together with Transfer-Encoding (400, RFC 9112
§6.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import h11

from app.errors import ApiError

RATE_WINDOW_S = 5.0  # a body arriving slower than body_min_rate over this long → 408


@dataclass(frozen=True)
class HttpLimits:
    """Per-worker HTTP limits (bytes, counts, seconds); 0 switches a limit off."""

    line: int = 8190
    fields: int = 100
    field_size: int = 8190
    head_bytes: int = 65536
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    body_min_rate: int = 1024  # bytes/s over each RATE_WINDOW_S while a body arrives
    max_connections: int = 512
    retry_after_s: int = 2


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    en: str
    ja: str
    limit: int | float | None = None
    retry_after: int | None = None


def refusal(code: str, *, limit: int | float | None = None, retry_after: int | None = None,
            variant: str | None = None, **params: Any) -> Refusal:
    """A Refusal with the status and en/ja messages of `code` in the error catalogue."""
    err = ApiError(code, field="http", limit=limit, variant=variant, **params)
    return Refusal(err.status, code, err.message("en"), err.message("ja"), limit, retry_after)


def check_request(event: h11.Request, limits: HttpLimits) -> Refusal | None:
    """The first limit a complete request head breaks, or None."""
    line = len(event.method) + len(event.target) + len(event.http_version) + 7
    if limits.line and line > limits.line:
        return refusal("request_line_too_long", limit=limits.line, line=line)
    if limits.fields and len(event.headers) > limits.fields:
        return refusal("too_many_headers", limit=limits.fields, n=len(event.headers))
    for name, value in event.headers.raw_items():
        size = len(name) + 2 + len(value)
        if limits.field_size and size > limits.field_size:
            return refusal("header_field_too_large", limit=limits.field_size,
                           name=name[:40].decode("latin-1"), size=size)
    names = {name for name, _ in event.headers}
    if b"content-length" in names and b"transfer-encoding" in names:
        return refusal("ambiguous_body_length")
    return None
