"""The receive budget on the production server (issue 16 items 1 and 3): gunicorn with one
worker, one CPU slot (CONVSCOPE_CPU_WORKERS=1, CPU_QUEUE=0) and two receive slots
(CONVSCOPE_MAX_RECEIVING=2). Two large uploads still arriving hold both receive slots and no CPU
slot: a small JSON convolve is answered 200, a third large upload gets 503 too_many_uploads +
Retry-After before its body is read, and a finished upload frees its slot.

Synchronisation: an upload sent with `Expect: 100-continue` gets "100 Continue" only once the app
reads its body, i.e. after it was admitted; no sleeps."""

from __future__ import annotations

import json
import socket

from tests.serving.conftest import BOOK_EXAMPLE, BOOK_OUTPUT
from tests.serving.rawhttp import connect, parse, read_all, read_reply

SIZE = 200_000  # declared bytes: above small_body_bytes (64 KiB)
BODY = json.dumps(BOOK_EXAMPLE).encode().ljust(SIZE)
ENV = {"CONVSCOPE_MAX_RECEIVING": "2", "CONVSCOPE_CPU_WORKERS": "1", "CONVSCOPE_CPU_QUEUE": "0",
       "CONVSCOPE_BODY_MIN_RATE": "0", "CONVSCOPE_BODY_TIMEOUT_S": "120"}


def head(size: int, *extra: bytes) -> bytes:
    lines = b"".join(h + b"\r\n" for h in extra)
    return (b"POST /api/convolve HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n" % size + lines + b"\r\n")


def start_upload(url: str) -> socket.socket:
    """A large upload admitted to receiving (its 100 Continue read) with half its body sent."""
    s = connect(url)
    s.sendall(head(SIZE, b"Expect: 100-continue"))
    got = b""
    while b"\r\n\r\n" not in got:
        chunk = s.recv(1)
        assert chunk, f"closed after {got!r}"
        got += chunk
    assert got.startswith(b"HTTP/1.1 100 "), got
    s.sendall(BODY[:SIZE // 2])
    return s


def test_uploads_arriving_hold_no_cpu_slot(gunicorn) -> None:  # type: ignore[no-untyped-def]
    server = gunicorn(**ENV)
    uploads = [start_upload(server.url) for _ in range(2)]  # LIMIT: both admitted
    try:
        small = json.dumps(BOOK_EXAMPLE).encode()
        with connect(server.url) as s:  # one CPU slot, two uploads arriving: still answered
            s.sendall(head(len(small), b"Connection: close") + small)
            [reply] = parse(read_all(s))
        assert reply.status == 200 and reply.json()["output"] == BOOK_OUTPUT

        with connect(server.url) as s:  # LIMIT + 1, waiting for 100-continue: nothing read
            s.sendall(head(SIZE, b"Expect: 100-continue"))
            [reply] = parse(read_all(s))
        assert reply.status == 503 and reply.json()["error"]["code"] == "too_many_uploads"
        assert reply.json()["error"]["limit"] == 2 and reply.headers["retry-after"] == "2"
        assert reply.headers["connection"] == "close"

        with connect(server.url) as s:  # LIMIT + 1 sending at once: discarded, then 503
            s.sendall(head(SIZE) + BODY)
            reply = read_reply(s)
        assert reply.status == 503 and reply.json()["error"]["code"] == "too_many_uploads"
        assert reply.headers["retry-after"] == "2"

        uploads[0].sendall(BODY[SIZE // 2:])  # the first upload ends and computes...
        reply = read_reply(uploads[0])
        assert reply.status == 200 and reply.json()["output"] == BOOK_OUTPUT
        again = start_upload(server.url)  # ...and its receive slot is free again
        again.sendall(BODY[SIZE // 2:])
        reply = read_reply(again)
        assert reply.status == 200 and reply.json()["output"] == BOOK_OUTPUT
        again.close()
    finally:
        for s in uploads:
            s.close()
