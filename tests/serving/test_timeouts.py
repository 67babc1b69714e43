"""Slow and idle clients under the production server (issue 16 item 3): a head or a body not
complete within CONVSCOPE_HEADER_TIMEOUT_S / CONVSCOPE_BODY_TIMEOUT_S is answered 408 and
closed, an idle new connection is closed, and past CONVSCOPE_MAX_CONNECTIONS an idle keep-alive
connection makes room, else the newcomer gets 503 + Retry-After.

Every read is bounded (rawhttp.READ_TIMEOUT_S); the server's own timers end the waits."""

from __future__ import annotations

import select
import socket
from collections.abc import Iterator

import pytest

from loadtest import server as serving

from .conftest import Server, start_gunicorn
from .rawhttp import READ_TIMEOUT_S, connect, get, parse, read_all, read_reply

pytestmark = pytest.mark.slow
CAP = 6


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = start_gunicorn(tmp_path_factory.mktemp("timeouts"), CONVSCOPE_HEADER_TIMEOUT_S="1",
                       CONVSCOPE_BODY_TIMEOUT_S="1", CONVSCOPE_MAX_CONNECTIONS=str(CAP))
    yield s
    serving.stop(s, 30)


def test_idle_connection_is_closed(server: Server) -> None:
    with connect(server.url) as s:
        assert read_all(s) == b""  # closed by the server, nothing sent


def test_slow_head_gets_408(server: Server) -> None:
    with connect(server.url) as s:
        s.sendall(b"GET /api/health HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        [reply] = parse(read_all(s))
    assert reply.status == 408 and reply.json()["error"]["code"] == "header_timeout"


def test_slow_head_on_a_keep_alive_connection_gets_408(server: Server) -> None:
    with connect(server.url) as s:
        s.sendall(get("/api/health", close=False))
        assert read_reply(s).status == 200
        s.sendall(b"GET /api/health HTTP/1.1\r\n")
        [reply] = parse(read_all(s))
    assert reply.status == 408


def test_slow_body_gets_408(server: Server) -> None:
    with connect(server.url) as s:
        s.sendall(b"POST /api/convolve HTTP/1.1\r\nHost: t\r\nContent-Type: application/json"
                  b"\r\nContent-Length: 100\r\n\r\n{\"input\": ")
        [reply] = parse(read_all(s))
    assert reply.status == 408 and reply.json()["error"]["code"] == "body_timeout"


def _busy(url: str) -> socket.socket:
    """A connection in the middle of a request head (not idle, not evictable); awaited by a
    100-continue handshake on a POST so that the server has surely registered it."""
    s = connect(url)
    s.sendall(b"POST /api/convolve HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
              b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\n")
    assert s.recv(100).startswith(b"HTTP/1.1 100")
    return s


def test_connection_cap(tmp_path_factory: pytest.TempPathFactory) -> None:
    """CAP busy connections (LIMIT): the next one gets 503; an idle keep-alive one makes room."""
    server = start_gunicorn(tmp_path_factory.mktemp("cap"), CONVSCOPE_MAX_CONNECTIONS=str(CAP),
                            CONVSCOPE_CPU_QUEUE="20", CONVSCOPE_BODY_TIMEOUT_S="60")
    try:
        busy = [_busy(server.url) for _ in range(CAP - 1)]
        idle = connect(server.url)
        idle.sendall(get("/api/health", close=False))
        assert read_reply(idle).status == 200  # CAP connections, one idle in keep-alive
        with connect(server.url) as extra:  # CAP + 1: the idle one is closed to make room
            assert read_all(idle) == b""
            extra.sendall(get("/api/health"))
            assert [r.status for r in parse(read_all(extra))] == [200]
        busy.append(_busy(server.url))  # CAP busy again
        with connect(server.url) as refused:
            [reply] = parse(read_all(refused))
        assert reply.status == 503 and reply.headers["retry-after"] == "2"
        assert reply.json()["error"] | {"message": ""} == {
            "code": "too_many_connections", "field": "http", "limit": CAP, "message": ""}
        for s in busy:
            s.sendall(b"{}")
            assert read_reply(s).status in (200, 422)
            s.close()
    finally:
        serving.stop(server, 30)


def test_slowloris_at_the_cap_makes_room(tmp_path_factory: pytest.TempPathFactory) -> None:
    """CAP connections, each in the middle of a request head: a new client is still served,
    and exactly one of the slow connections (the oldest head) is closed to make room."""
    server = start_gunicorn(tmp_path_factory.mktemp("loris"), CONVSCOPE_MAX_CONNECTIONS=str(CAP),
                            CONVSCOPE_HEADER_TIMEOUT_S="120")
    try:
        loris = []
        for _ in range(CAP):
            s = connect(server.url)
            s.sendall(get("/api/health", close=False))
            assert read_reply(s).status == 200
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: t\r\nX-Slow: ")
            loris.append(s)
        with connect(server.url) as newcomer:
            newcomer.sendall(get("/api/health"))
            assert [r.status for r in parse(read_all(newcomer))] == [200]
        ready, _, _ = select.select(loris, [], [], READ_TIMEOUT_S)
        assert len(ready) == 1
        evicted = parse(read_all(ready[0]))  # 503 if its head had started arriving, else closed
        assert [r.status for r in evicted] in ([503], [])
        still_open = [s for s in loris if s not in ready]
        assert len(still_open) == CAP - 1
        for s in loris:
            s.close()
    finally:
        serving.stop(server, 30)


def test_slow_drip_body_below_the_minimum_rate(gunicorn) -> None:  # type: ignore[no-untyped-def]
    """A body dripping below CONVSCOPE_BODY_MIN_RATE is cut after one 5 s window (long before
    the 60 s body timeout); a body sent at once is read."""
    server = gunicorn(CONVSCOPE_BODY_MIN_RATE="100000", CONVSCOPE_BODY_TIMEOUT_S="60")
    with connect(server.url) as s:
        s.sendall(b"POST /api/convolve HTTP/1.1\r\nHost: t\r\nContent-Type: application/json"
                  b"\r\nContent-Length: 1000000\r\n\r\n{\"input\": [")
        [reply] = parse(read_all(s))
    assert reply.status == 408 and reply.json()["error"]["code"] == "body_too_slow"
    assert reply.json()["error"]["limit"] == 100000
    body = b'{"input": [[1, 2], [3, 4]], "spec": {"kernel": [[1]]}}'
    with connect(server.url) as s:
        s.sendall(b"POST /api/convolve HTTP/1.1\r\nHost: t\r\nContent-Type: application/json"
                  b"\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        assert [r.status for r in parse(read_all(s))] == [200]
