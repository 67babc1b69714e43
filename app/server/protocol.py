"""uvicorn's h11 protocol with the limits a public server needs.

- Request line longer than `line` bytes ("METHOD target HTTP/1.1", no CRLF) → 414; more than
  `fields` header lines, or one "name: value" line longer than `field_size` bytes → 431; the
  whole head past `head_bytes` while incomplete → 431 (h11's incomplete-event limit).
- Content-Length together with Transfer-Encoding (RFC 9112 §6.1, request smuggling) → 400 and
  the connection is closed, so a pipelined request behind it is never answered.
- A head not complete `header_timeout_s` after its first byte (or after the connection opened)
  → 408 / closed; a body not complete `body_timeout_s` after its head → 408 / closed.
- At most `max_connections` open connections per worker: at the cap an idle keep-alive
  connection is closed to make room, else the new one gets 503 + Retry-After and is closed.
Every refusal is the API's JSON error shape and closes the connection.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from app.errors import error_body, prefers_japanese

log = logging.getLogger("uvicorn.error")


@dataclass(frozen=True)
class HttpLimits:
    """Per-worker HTTP limits (bytes, counts, seconds); 0 switches a limit off."""

    line: int = 8190
    fields: int = 100
    field_size: int = 8190
    head_bytes: int = 65536
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
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


class _Refused(h11.RemoteProtocolError):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.en, refusal.status)
        self.refusal = refusal


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


class _CheckedConnection(h11.Connection):
    """h11.Connection that reports each event to the protocol, which may refuse it."""

    def __init__(self, protocol: LimitedH11Protocol, max_incomplete: int) -> None:
        super().__init__(h11.SERVER, max_incomplete_event_size=max_incomplete)
        self.protocol = protocol

    def next_event(self) -> Any:
        try:
            event = super().next_event()
        except h11.RemoteProtocolError as exc:
            self.protocol.refusal = self.protocol.refusal or _protocol_refusal(exc)
            raise
        self.protocol.on_event(event)
        return event


def _protocol_refusal(exc: h11.RemoteProtocolError) -> Refusal:
    if exc.error_status_hint == 431:
        return Refusal(431, "header_too_large", f"The request head is too large ({exc}).",
                       f"リクエストヘッダー全体が大きすぎます（{exc}）。")
    return Refusal(400, "bad_request", f"The request could not be read ({exc}).",
                   f"リクエストを読み取れません（{exc}）。")


class LimitedH11Protocol(H11Protocol):
    """H11Protocol + the limits of `HttpLimits` (from `config.http_limits`)."""

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits: HttpLimits = getattr(config, "http_limits", None) or HttpLimits()
        self.conn = _CheckedConnection(self, self.limits.head_bytes or 16 * 1024 * 1024)
        self.refusal: Refusal | None = None
        self.ja = False
        self.head_timer: asyncio.TimerHandle | None = None
        self.body_timer: asyncio.TimerHandle | None = None
        self.line_open = 0  # bytes of a request line still without its LF

    # --- connection lifecycle ------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        cap = self.limits.max_connections
        if cap and len(self.connections) >= cap and not self._evict_idle():
            super().connection_made(transport)
            self.refusal = Refusal(503, "too_many_connections",
                                   f"The server has {cap} open connections (its limit); retry in "
                                   f"{self.limits.retry_after_s} s.",
                                   f"接続数が上限 {cap} に達しています。"
                                   f"{self.limits.retry_after_s} 秒後に再試行してください。",
                                   cap, self.limits.retry_after_s)
            self.send_400_response("")
            return
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def _evict_idle(self) -> bool:
        """Close one idle keep-alive connection (waiting for a request, nothing received)."""
        for other in list(self.connections):
            if isinstance(other, LimitedH11Protocol) and other.idle():
                other.timeout_keep_alive_handler()
                self.connections.discard(other)
                return True
        return False

    def idle(self) -> bool:
        return (self.timeout_keep_alive_task is not None and self.line_open == 0
                and self.conn.their_state is h11.IDLE)

    # --- reading ---------------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            if self.head_timer is None:
                self._arm_head_timer()
            if self.line_open >= 0:
                lf = data.find(b"\n")
                self.line_open = -1 if lf >= 0 else self.line_open + len(data)
                if self.limits.line and self.line_open > self.limits.line + 2:
                    self.refuse(Refusal(414, "request_line_too_long",
                                        f"The request line is longer than {self.limits.line} "
                                        "bytes.",
                                        f"リクエスト行が上限 {self.limits.line} バイトを超えて"
                                        "います。", self.limits.line))
                    return
        super().data_received(data)

    def on_event(self, event: Any) -> None:
        """Called by the connection for every h11 event, before uvicorn handles it."""
        if isinstance(event, h11.Request):
            self._cancel_timers()
            self.line_open = 0
            self.ja = prefers_japanese(dict(event.headers).get(b"accept-language", b"")
                                       .decode("latin-1"))
            refusal = check_request(event, self.limits)
            if refusal is not None:
                self.refusal = refusal
                raise _Refused(refusal)
            if self.conn.their_state is h11.SEND_BODY and self.limits.body_timeout_s:
                self.body_timer = self.loop.call_later(self.limits.body_timeout_s,
                                                       self._body_timed_out)
        elif isinstance(event, h11.EndOfMessage) and self.body_timer is not None:
            self.body_timer.cancel()
            self.body_timer = None

    # --- timers --------------------------------------------------------------------------------
    def _arm_head_timer(self) -> None:
        if self.limits.header_timeout_s and self.head_timer is None:
            self.head_timer = self.loop.call_later(self.limits.header_timeout_s,
                                                   self._head_timed_out)

    def _cancel_timers(self) -> None:
        for timer in (self.head_timer, self.body_timer):
            if timer is not None:
                timer.cancel()
        self.head_timer = self.body_timer = None

    def _head_timed_out(self) -> None:
        self.head_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self.line_open == 0 and self.cycle is None:  # nothing was ever sent: just close
            self.transport.close()
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a response is still being produced; the keep-alive timer follows it
        self._timed_out("header", self.limits.header_timeout_s)

    def _body_timed_out(self) -> None:
        self.body_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.SEND_BODY:
            return
        if self.cycle is not None and self.cycle.response_started:
            log.info("%s: request body not complete in %g s; connection closed",
                     _peer(self.client), self.limits.body_timeout_s)
            self.cycle.disconnected = True
            self.cycle.message_event.set()
            self.transport.close()
            return
        if self.cycle is not None:
            self.cycle.disconnected = True  # the app sees http.disconnect
            self.cycle.message_event.set()  # its response, if any, is dropped
        self._timed_out("body", self.limits.body_timeout_s)

    def _timed_out(self, what: str, seconds: float) -> None:
        log.info("%s: request %s not complete in %g s; 408, connection closed",
                 _peer(self.client), what, seconds)
        ja = "ヘッダー" if what == "header" else "本体"
        self.refuse(Refusal(408, f"{what}_timeout",
                            f"The request {what} was not complete within {seconds:g} s.",
                            f"リクエスト{ja}が {seconds:g} 秒以内に届きませんでした。", seconds))

    # --- refusing ------------------------------------------------------------------------------
    def refuse(self, refusal: Refusal) -> None:
        self.refusal = refusal
        self.send_400_response("")

    def send_400_response(self, msg: str) -> None:
        """Send the pending refusal (or a generic 400) as JSON, then close the connection."""
        r = self.refusal or Refusal(400, "bad_request", msg or "Invalid HTTP request.",
                                    "リクエストを読み取れません。")
        body = json.dumps(error_body(r.code, r.ja if self.ja else r.en, "http", r.limit),
                          ensure_ascii=False).encode()
        headers = [(b"content-type", b"application/json"),
                   (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
        if r.retry_after is not None:
            headers.append((b"retry-after", str(r.retry_after).encode()))
        head = b"HTTP/1.1 %d %s\r\n" % (r.status, _REASONS.get(r.status, b"Error"))
        head += b"".join(k + b": " + v + b"\r\n" for k, v in headers)
        self._cancel_timers()
        if not self.transport.is_closing():
            self.transport.write(head + b"\r\n" + body)  # raw: h11 may be in an error state
            self.transport.close()


_REASONS = {400: b"Bad Request", 408: b"Request Timeout", 414: b"URI Too Long",
            431: b"Request Header Fields Too Large", 503: b"Service Unavailable"}


def _peer(client: tuple[str, int] | None) -> str:
    return f"{client[0]}:{client[1]}" if client else "client"
