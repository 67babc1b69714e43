"""The limits of app/server/protocol.py as data, and the check of a complete request head.

`check_request` → the first limit a head breaks as a `Refusal` (status, code, en/ja message,
limit): the request line (414), the header count and each "name: value" line (431), and
Content-Length together with Transfer-Encoding (400, RFC 9112 §6.1).
"""

from __future__ import annotations

from dataclasses import dataclass

import h11

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


def check_request(event: h11.Request, limits: HttpLimits) -> Refusal | None:
    """The first limit a complete request head breaks, or None."""
    line = len(event.method) + len(event.target) + len(event.http_version) + 7
    if limits.line and line > limits.line:
        return Refusal(414, "request_line_too_long",
                       f"The request line is {line} bytes; the limit is {limits.line}.",
                       f"リクエスト行が {line} バイトで、上限 {limits.line} バイトを超えています。",
                       limits.line)
    if limits.fields and len(event.headers) > limits.fields:
        n = len(event.headers)
        return Refusal(431, "too_many_headers",
                       f"The request has {n} header fields; the limit is {limits.fields}.",
                       f"ヘッダーが {n} 個あり、上限 {limits.fields} 個を超えています。",
                       limits.fields)
    for name, value in event.headers.raw_items():
        size = len(name) + 2 + len(value)
        if limits.field_size and size > limits.field_size:
            return Refusal(431, "header_field_too_large",
                           f"The header field {name[:40].decode('latin-1')!r} is {size} bytes; "
                           f"the limit is {limits.field_size}.",
                           f"ヘッダー {name[:40].decode('latin-1')!r} が {size} バイトで、"
                           f"上限 {limits.field_size} バイトを超えています。", limits.field_size)
    names = {name for name, _ in event.headers}
    if b"content-length" in names and b"transfer-encoding" in names:
        return Refusal(400, "ambiguous_body_length",
                       "The request has both Content-Length and Transfer-Encoding "
                       "(RFC 9112 §6.1); the connection is closed.",
                       "Content-Length と Transfer-Encoding の両方があります（RFC 9112 §6.1）。"
                       "接続を閉じます。")
    return None
