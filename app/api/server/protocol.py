"""uvicorn's h11 protocol with the limits a public server needs.

- Request line longer than `line` bytes ("METHOD target HTTP/1.1", no CRLF) → 414; more than
  `fields` header lines, or one "name: value" line longer than `field_size` bytes → 431; the
  whole head past `head_bytes` while incomplete → 431 (h11's incomplete-event limit).
- Content-Length together with Transfer-Encoding (RFC 9112 §6.1, request smuggling) → 400 and
  the connection is closed, so a pipelined request behind it is never answered.
- A head not complete `header_timeout_s` after its first byte (or after the connection opened)
  → 408 / closed; a body not complete `body_timeout_s` after its head, or arriving slower than
  `body_min_rate` bytes/s over any 5 s window (slow drip) → 408 / closed.
- At most `max_connections` open connections per worker: at the cap the connection whose head
  has been arriving the longest (slowloris), else an idle keep-alive one, is closed to make
  room; with neither, the new one gets 503 + Retry-After and is closed.
Every refusal is the API's JSON error shape and closes the connection.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from app.api.server.http_limits import RATE_WINDOW_S, HttpLimits, Refusal, check_request, refusal
from app.errors import error_body, prefers_japanese

log = logging.getLogger("uvicorn.error")


class _Refused(h11.RemoteProtocolError):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.en, refusal.status)
        self.refusal = refusal


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
        return refusal("header_too_large", detail=str(exc))
    return refusal("bad_request", variant="detail", detail=str(exc))


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
        self.head_since = 0.0  # loop time the current head started arriving
        self.rate_timer: asyncio.TimerHandle | None = None
        self.window_bytes = 0  # body bytes in the current rate window

    # --- connection lifecycle ------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        cap = self.limits.max_connections
        if cap and len(self.connections) >= cap and not self._evict_idle():
            super().connection_made(transport)
            self.refuse(self._busy_refusal())
            return
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def _evict_idle(self) -> bool:
        """Make room: close the connection whose request head has been arriving the longest
        (a slowloris; a browser's head arrives at once), else an idle keep-alive one."""
        slow = [c for c in self.connections if isinstance(c, LimitedH11Protocol)
                and c.head_timer is not None and c.conn.their_state is h11.IDLE]
        if slow:
            oldest = min(slow, key=lambda c: c.head_since)
            oldest.refuse(self._busy_refusal())
            self.connections.discard(oldest)
            return True
        for other in list(self.connections):
            if isinstance(other, LimitedH11Protocol) and other.idle():
                other.timeout_keep_alive_handler()
                self.connections.discard(other)
                return True
        return False

    def idle(self) -> bool:
        return (self.timeout_keep_alive_task is not None and self.line_open == 0
                and self.conn.their_state is h11.IDLE)

    def _busy_refusal(self) -> Refusal:
        cap, retry = self.limits.max_connections, self.limits.retry_after_s
        return refusal("too_many_connections", limit=cap, retry_after=retry, retry=retry)

    # --- reading ---------------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            if self.head_timer is None:
                self._arm_head_timer()
            if self.line_open >= 0:
                lf = data.find(b"\n")
                self.line_open = -1 if lf >= 0 else self.line_open + len(data)
                if self.limits.line and self.line_open > self.limits.line + 2:
                    self.refuse(refusal("request_line_too_long", variant="open",
                                        limit=self.limits.line))
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
            if self.conn.their_state is h11.SEND_BODY and self.limits.body_min_rate:
                self.window_bytes = 0
                self.rate_timer = self.loop.call_later(RATE_WINDOW_S, self._check_rate)
        elif isinstance(event, h11.Data):
            self.window_bytes += len(event.data)
        elif isinstance(event, h11.EndOfMessage):
            self._cancel_timers()

    # --- timers --------------------------------------------------------------------------------
    def _arm_head_timer(self) -> None:
        if self.limits.header_timeout_s and self.head_timer is None:
            self.head_since = self.loop.time()
            self.head_timer = self.loop.call_later(self.limits.header_timeout_s,
                                                   self._head_timed_out)

    def _cancel_timers(self) -> None:
        for timer in (self.head_timer, self.body_timer, self.rate_timer):
            if timer is not None:
                timer.cancel()
        self.head_timer = self.body_timer = self.rate_timer = None

    def _check_rate(self) -> None:
        """Every RATE_WINDOW_S while a body arrives: too few bytes (and not paused by us) → 408."""
        self.rate_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.SEND_BODY:
            return
        if self.window_bytes < self.limits.body_min_rate * RATE_WINDOW_S and \
                not self.flow.read_paused:
            if self.body_timer is not None:
                self.body_timer.cancel()
            self._body_timed_out(f"arrived at {self.window_bytes / RATE_WINDOW_S:.0f} bytes/s, "
                                 f"below {self.limits.body_min_rate}")
            return
        self.window_bytes = 0
        self.rate_timer = self.loop.call_later(RATE_WINDOW_S, self._check_rate)

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

    def _body_timed_out(self, slow: str = "") -> None:
        self.body_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.SEND_BODY:
            return
        if self.cycle is not None and self.cycle.response_started:
            log.info("%s: request body %s; connection closed", _peer(self.client),
                     slow or f"not complete in {self.limits.body_timeout_s:g} s")
            self.cycle.disconnected = True
            self.cycle.message_event.set()
            self.transport.close()
            return
        if self.cycle is not None:
            self.cycle.disconnected = True  # the app sees http.disconnect
            self.cycle.message_event.set()  # its response, if any, is dropped
        if slow:
            self._refuse_slow_body(slow)
        else:
            self._timed_out("body", self.limits.body_timeout_s)

    def _refuse_slow_body(self, why: str) -> None:
        rate = self.limits.body_min_rate
        log.info("%s: request body %s; 408, connection closed", _peer(self.client), why)
        self.refuse(refusal("body_too_slow", limit=rate, why=why, window=RATE_WINDOW_S))

    def _timed_out(self, what: str, seconds: float) -> None:
        log.info("%s: request %s not complete in %g s; 408, connection closed",
                 _peer(self.client), what, seconds)
        if what == "header":
            self.refuse(refusal("header_timeout", limit=seconds))
        else:
            self.refuse(refusal("body_timeout", limit=seconds))

    # --- refusing ------------------------------------------------------------------------------
    def refuse(self, refusal: Refusal) -> None:
        self.refusal = refusal
        self.send_400_response("")

    def send_400_response(self, msg: str) -> None:
        """Send the pending refusal (or a generic 400) as JSON, then close the connection."""
        r = self.refusal or (refusal("bad_request", variant="detail", detail=msg) if msg
                             else refusal("bad_request"))
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
