"""Header limits and request smuggling under the production server (gunicorn +
ConvScopeWorker): CONVSCOPE_LIMIT_REQUEST_LINE / _FIELDS / _FIELD_SIZE at LIMIT and LIMIT+1,
Content-Length with Transfer-Encoding refused and its connection closed."""

from __future__ import annotations

from collections.abc import Iterator

import h11
import pytest

from app.api.server.http_limits import HttpLimits, check_request
from loadtest import server as serving

from .conftest import Server, start_gunicorn
from .rawhttp import exchange, get

LINE, FIELDS, FIELD_SIZE = 1000, 20, 500


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = start_gunicorn(tmp_path_factory.mktemp("limits"),
                       CONVSCOPE_LIMIT_REQUEST_LINE=str(LINE),
                       CONVSCOPE_LIMIT_REQUEST_FIELDS=str(FIELDS),
                       CONVSCOPE_LIMIT_REQUEST_FIELD_SIZE=str(FIELD_SIZE))
    yield s
    serving.stop(s, 30)


def line_of(size: int) -> str:
    """A health path whose request line "GET <path> HTTP/1.1" is exactly size bytes."""
    base = len("GET /api/health?p= HTTP/1.1")
    return "/api/health?p=" + "a" * (size - base)


@pytest.mark.parametrize(("size", "status"), [(LINE, 200), (LINE + 1, 414)])
def test_request_line(server: Server, size: int, status: int) -> None:
    [reply] = exchange(server.url, get(line_of(size)))
    assert reply.status == status
    if status == 414:
        assert reply.json()["error"]["code"] == "request_line_too_long"
        assert reply.json()["error"]["limit"] == LINE


@pytest.mark.parametrize(("count", "status"), [(FIELDS, 200), (FIELDS + 1, 431)])
def test_header_count(server: Server, count: int, status: int) -> None:
    # Host and Connection are two of the fields
    headers = [b"X-%d: 1" % i for i in range(count - 2)]
    [reply] = exchange(server.url, get("/api/health", *headers))
    assert reply.status == status
    if status == 431:
        assert reply.json()["error"] == {
            "code": "too_many_headers", "field": "http", "limit": FIELDS,
            "message": f"The request has {count} header fields; the limit is {FIELDS}."}


@pytest.mark.parametrize(("size", "status"), [(FIELD_SIZE, 200), (FIELD_SIZE + 1, 431)])
def test_header_field_size(server: Server, size: int, status: int) -> None:
    field = b"X-Pad: " + b"v" * (size - len("X-Pad: "))
    assert len(field) == size
    [reply] = exchange(server.url, get("/api/health", field))
    assert reply.status == status
    if status == 431:
        assert reply.json()["error"]["code"] == "header_field_too_large"


def test_japanese_message(server: Server) -> None:
    [reply] = exchange(server.url, get(line_of(LINE + 1), b"Accept-Language: ja"))
    assert reply.status == 414 and "リクエスト行" in reply.json()["error"]["message"]


def test_smuggled_request_is_not_answered(server: Server) -> None:
    """CL + TE: one 400, then the connection is closed; the pipelined GET gets no answer."""
    smuggle = (b"POST /api/convolve HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + get("/api/health", close=False))
    replies = exchange(server.url, smuggle)
    assert [r.status for r in replies] == [400]
    assert replies[0].json()["error"]["code"] == "ambiguous_body_length"
    assert replies[0].headers["connection"] == "close"


def test_pipelined_requests_still_answered(server: Server) -> None:
    """The control: two plain pipelined GETs are both answered."""
    replies = exchange(server.url, get("/api/health", close=False) + get("/api/health"))
    assert [r.status for r in replies] == [200, 200]


def _request(target: bytes, *headers: tuple[bytes, bytes]) -> h11.Request:
    return h11.Request(method=b"GET", target=target, headers=[(b"host", b"t"), *headers])


def test_check_request_limits_at_limit_and_above() -> None:
    limits = HttpLimits(line=30, fields=3, field_size=20)
    at = b"/" + b"a" * (30 - len("GET / HTTP/1.1"))
    assert check_request(_request(at), limits) is None
    assert check_request(_request(at + b"a"), limits).status == 414  # type: ignore[union-attr]
    assert check_request(_request(b"/", (b"a", b"1"), (b"b", b"2")), limits) is None
    many = _request(b"/", (b"a", b"1"), (b"b", b"2"), (b"c", b"3"))
    assert check_request(many, limits).status == 431  # type: ignore[union-attr]
    assert check_request(_request(b"/", (b"x", b"v" * 17)), limits) is None  # "x: " + 17 = 20
    big = _request(b"/", (b"x", b"v" * 18))
    assert check_request(big, limits).code == "header_field_too_large"  # type: ignore[union-attr]
    off = HttpLimits(line=0, fields=0, field_size=0)
    assert check_request(_request(b"/" + b"a" * 10000, (b"x", b"v" * 9000)), off) is None
