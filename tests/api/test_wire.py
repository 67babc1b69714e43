"""Bytes on the wire (app/api/wire.py): gzip by Accept-Encoding and media type with Vary, HEAD
still bodiless, Cache-Control and validators (304) on static files, pages revalidated, PNG / NPY
and the error responses untouched."""

from __future__ import annotations

import gzip
import io
import json
import socket
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api.capacity import CpuLimiter
from app.api.wire import GZIP_MIN_BYTES, LONG_CACHE_CONTROL, OWN_CACHE_CONTROL, PAGE_CACHE_CONTROL
from app.config import get_settings
from app.main import create_app
from tests.api.helpers import SLIDE7_INPUT, SLIDE_KERNEL, image_bytes
from tests.live_server import live_server

GZ = {"Accept-Encoding": "gzip"}
PLAIN = {"Accept-Encoding": "identity"}
OWN_JS, VENDOR_JS = "/static/js/lib/api.js", "/static/vendor/d3-color/src/color.js"
IMAGE_SPEC = json.dumps({"kernel": "sobel-x", "pad": 1})


def raw(client: TestClient, method: str, url: str, **kw: object) -> tuple[int, dict[str, str],
                                                                          bytes]:
    """(status, headers, body as sent: not decoded) of one request."""
    with client.stream(method, url, **kw) as r:  # type: ignore[arg-type]
        return r.status_code, dict(r.headers), b"".join(r.iter_raw())


def vary(headers: dict[str, str]) -> list[str]:
    return [v.strip().lower() for v in headers.get("vary", "").split(",") if v.strip()]


@pytest.mark.parametrize("url", ["/", "/api/kernels", OWN_JS, "/static/css/lab.css",
                                 "/static/locales/ja/lab.json"])
def test_gzip_when_asked_and_large_enough(client: TestClient, url: str) -> None:
    status, headers, body = raw(client, "GET", url, headers=GZ)
    _, plain_headers, plain = raw(client, "GET", url, headers=PLAIN)
    assert status == 200 and len(plain) >= GZIP_MIN_BYTES
    assert headers["content-encoding"] == "gzip" and gzip.decompress(body) == plain
    assert int(headers["content-length"]) == len(body) < len(plain) // 2
    assert "content-encoding" not in plain_headers and int(plain_headers["content-length"]) == \
        len(plain)
    assert vary(headers) == vary(plain_headers) == ["accept-encoding"]
    assert headers["x-content-type-options"] == "nosniff" and "content-security-policy" in headers


def test_no_gzip_below_the_minimum_or_without_accept_encoding(client: TestClient) -> None:
    status, headers, body = raw(client, "GET", "/api/health", headers=GZ)
    assert status == 200 and len(body) < GZIP_MIN_BYTES and "content-encoding" not in headers
    assert json.loads(body)["status"] == "ok"
    for asked in ({"Accept-Encoding": "br"}, {"Accept-Encoding": ""}):
        _, headers, body = raw(client, "GET", "/api/kernels", headers=asked)
        assert "content-encoding" not in headers and isinstance(json.loads(body), list | dict)


@pytest.mark.parametrize("accept", ["image/png", "application/x-npy"])
def test_png_and_npy_are_never_gzipped(client: TestClient, accept: str) -> None:
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    files = {"image": ("noise.png", image_bytes(noise), "image/png")}
    status, headers, body = raw(client, "POST", "/api/convolve", files=files,
                                data={"spec": IMAGE_SPEC}, headers={**GZ, "Accept": accept})
    assert status == 200 and headers["content-type"] == accept and len(body) > GZIP_MIN_BYTES
    assert "content-encoding" not in headers and int(headers["content-length"]) == len(body)
    if accept == "application/x-npy":
        assert np.load(io.BytesIO(body)).shape == (1, 1, 64, 64)
    else:
        assert body.startswith(b"\x89PNG")


@pytest.mark.parametrize("url", ["/", "/api/kernels", OWN_JS])
def test_head_is_bodiless_with_the_headers_of_a_gzipped_get(client: TestClient, url: str) -> None:
    _, got, body = raw(client, "GET", url, headers=GZ)
    status, headers, empty = raw(client, "HEAD", url, headers=GZ)
    assert status == 200 and empty == b"" and body
    for name in ("content-encoding", "content-length", "vary", "content-type", "cache-control"):
        assert headers.get(name) == got.get(name), name


@pytest.mark.parametrize(("url", "policy"), [(OWN_JS, OWN_CACHE_CONTROL),
                                             ("/static/css/base.css", OWN_CACHE_CONTROL),
                                             (VENDOR_JS, LONG_CACHE_CONTROL)])
def test_static_files_have_cache_control_and_validators(client: TestClient, url: str,
                                                        policy: str) -> None:
    r = client.get(url, headers=GZ)
    assert r.status_code == 200 and r.headers["cache-control"] == policy
    etag, modified = r.headers["etag"], r.headers["last-modified"]
    assert etag.startswith('W/"')  # gzipped or not: a weak validator (RFC 9110 §8.8.1)
    for asked in ({"If-None-Match": etag}, {"If-None-Match": etag.removeprefix("W/")},
                  {"If-None-Match": f'"other", {etag}'}, {"If-Modified-Since": modified}):
        again = client.get(url, headers={**GZ, **asked})
        assert again.status_code == 304 and again.content == b"", asked
        assert again.headers["etag"] == etag and again.headers["cache-control"] == policy
        assert "accept-encoding" in vary(dict(again.headers))
        assert again.headers["x-content-type-options"] == "nosniff"
    changed = client.get(url, headers={**GZ, "If-None-Match": '"something-else"'})
    assert changed.status_code == 200 and changed.content == r.content


def test_pages_are_revalidated_on_every_load(client: TestClient) -> None:
    for url in ("/", "/docs"):
        assert client.get(url).headers["cache-control"] == PAGE_CACHE_CONTROL
    assert client.get("/favicon.ico").headers["cache-control"] == LONG_CACHE_CONTROL


def error_shape(client: TestClient, method: str, url: str, body: object = None) -> tuple[
        int, dict[str, object]]:
    """The same error asked with and without gzip: identical JSON, sent plain when small;
    returns (status, JSON) of the gzip one."""
    results = []
    for enc in (GZ, PLAIN):
        status, got, sent = raw(client, method, url, headers=enc, json=body)
        if len(sent) < GZIP_MIN_BYTES:
            assert "content-encoding" not in got and int(got["content-length"]) == len(sent)
        elif enc is GZ:
            assert got["content-encoding"] == "gzip"
        if got.get("content-encoding") == "gzip":
            sent = gzip.decompress(sent)
        results.append((status, json.loads(sent)))
    assert results[0] == results[1]
    return results[0]


def test_route_errors_keep_their_shape(client: TestClient) -> None:
    bad = {"input": SLIDE7_INPUT, "spec": {"kernel": SLIDE_KERNEL, "stride": 0}}
    status, body = error_shape(client, "POST", "/api/convolve", bad)
    assert status == 422 and set(body) == {"error"}
    status, body = error_shape(client, "GET", "/api/nowhere")
    assert status == 404 and set(body) == {"error"}


@pytest.fixture
def small_body_app() -> Iterator[TestClient]:
    settings = get_settings().model_copy(update={"max_body_bytes": 1000})
    with TestClient(create_app(settings)) as c:
        yield c


def test_body_guard_errors_are_untouched(small_body_app: TestClient) -> None:
    status, headers, body = raw(small_body_app, "POST", "/api/convolve", content=b"x" * 2000,
                                headers={**GZ, "Content-Type": "application/json"})
    assert status == 413 and "content-encoding" not in headers
    assert int(headers["content-length"]) == len(body)
    assert json.loads(body)["error"]["code"] == "body_too_large"


def test_overload_503_is_untouched(app: FastAPI, client: TestClient) -> None:
    limiter = app.state.cpu = CpuLimiter(workers=1, queue=0, timeout_s=60, retry_after_s=3)
    assert limiter.try_admit()
    try:
        status, headers, body = raw(client, "POST", "/api/convolve", headers=GZ,
                                    json={"input": SLIDE7_INPUT, "spec": {"kernel": SLIDE_KERNEL}})
    finally:
        limiter.release()
    assert status == 503 and headers["retry-after"] == "3" and "content-encoding" not in headers
    assert int(headers["content-length"]) == len(body)
    assert json.loads(body)["error"]["code"] == "overloaded"


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server("uvicorn", tmp_path_factory.mktemp("wire") / "server.log") as server:
        yield server.url


@pytest.mark.parametrize("url", ["/", OWN_JS, "/static/vendor/swagger-ui/swagger-ui-bundle.js"])
def test_head_keeps_the_connection_framed_on_uvicorn(live_url: str, url: str) -> None:
    """HEAD (gzip accepted; the swagger bundle streams, chunked) then a pipelined GET on one
    connection: two responses, the first with the gzip headers and no body bytes."""
    port = int(live_url.rsplit(":", 1)[1])
    request = (f"HEAD {url} HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n"
               "GET /api/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(request.encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200") and b"content-encoding: gzip" in head.lower()
    assert rest.startswith(b"HTTP/1.1 200")
    assert json.loads(rest.split(b"\r\n\r\n", 1)[1])["status"] == "ok"
