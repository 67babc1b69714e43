"""Raw-socket HTTP/1.1 helpers for the serving tests (bytes exactly as written, loopback only)."""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass

READ_TIMEOUT_S = 30.0  # a bound on every read: a hang fails the test instead of blocking it


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


def connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=READ_TIMEOUT_S)


def read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes the connection."""
    out = b""
    while chunk := sock.recv(65536):
        out += chunk
    return out


def parse(raw: bytes) -> list[Reply]:
    """Every response in raw (Content-Length framed), in order."""
    replies = []
    while raw.startswith(b"HTTP/1.1 "):
        head, _, rest = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
        size = int(headers.get("content-length", "0"))
        replies.append(Reply(int(lines[0].split()[1]), headers, rest[:size]))
        raw = rest[size:]
    return replies


def read_reply(sock: socket.socket) -> Reply:
    """One Content-Length framed response (the connection stays open)."""
    raw = b""
    while True:
        m = re.search(rb"\r\ncontent-length: *(\d+)\r\n(?:.*?\r\n)?\r\n", raw, re.I | re.S)
        if b"\r\n\r\n" in raw and m:
            head_end = raw.index(b"\r\n\r\n") + 4
            if len(raw) >= head_end + int(m.group(1)):
                return parse(raw)[0]
        chunk = sock.recv(65536)
        assert chunk, f"connection closed after {raw[:200]!r}"
        raw += chunk


def exchange(url: str, request: bytes) -> list[Reply]:
    """Send request bytes, read until the server closes; every response."""
    with connect(url) as s:
        s.sendall(request)
        return parse(read_all(s))


def get(path: str, *headers: bytes, close: bool = True) -> bytes:
    extra = b"".join(h + b"\r\n" for h in headers)
    conn = b"Connection: close\r\n" if close else b""
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: t\r\n" + conn + extra + b"\r\n"
