"""Security headers on pages, API, static files and errors; static paths cannot leave their folder.

A real uvicorn serves app.main:app with CONVSCOPE_STATIC_DIR pointing at a temporary folder
holding ok.txt and a symlink to a secret file beside (outside) it; raw HTTP request lines are
sent over a socket so that no client normalises `..` or percent-escapes on the way.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import live_server

SECRET = "convscope-secret-marker-7f3a"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(base URL, secret file path) of a uvicorn whose static folder is a temporary one."""
    tmp = tmp_path_factory.mktemp("static-escape")
    static = tmp / "static"
    static.mkdir()
    (static / "ok.txt").write_text("inside static\n")
    secret = tmp / "secret.txt"
    secret.write_text(SECRET)
    os.symlink(secret, static / "link.txt")
    os.symlink(tmp, static / "linkdir")
    env = {"CONVSCOPE_STATIC_DIR": str(static)}
    log = tmp_path_factory.mktemp("uvicorn") / "server.log"
    with live_server("uvicorn", log, env=env) as server:
        yield server.url, secret


def raw_get(url: str, target: str) -> tuple[int, bytes]:
    """Send `GET <target> HTTP/1.1` byte for byte; (status, body)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
                     .encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def assert_secure(headers: httpx.Headers) -> None:
    csp = headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert set(directives["img-src"]) == {"'self'", "data:", "blob:"}
    assert "mediastream:" in directives["media-src"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/", 200),
    ("GET", "/docs", 200),
    ("GET", "/api/health", 200),
    ("GET", "/api/kernels", 200),
    ("GET", "/static/ok.txt", 200),
    ("GET", "/static/missing.js", 404),
    ("GET", "/api/no-such-route", 404),
    ("POST", "/api/convolve", 422),
])
def test_headers_on_pages_api_static_and_errors(served: tuple[str, Path], method: str, path: str,
                                                status: int) -> None:
    url, _ = served
    body = {"input": [[1.0]], "spec": {"stride": 0}} if method == "POST" else None
    r = httpx.request(method, url + path, json=body)
    assert r.status_code == status
    assert_secure(r.headers)


def test_headers_on_413_from_the_body_guard(served: tuple[str, Path]) -> None:
    url, _ = served
    r = httpx.post(url + "/api/convolve", content=b"x" * (10 * 1024 * 1024 + 1),
                   headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert_secure(r.headers)


@pytest.mark.parametrize("path", ["/", "/docs"])
def test_pages_have_no_inline_script_or_style(served: tuple[str, Path], path: str) -> None:
    """What the CSP forbids is absent from the rendered pages, so nothing is blocked."""
    html = httpx.get(served[0] + path).text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S | re.I)
    assert scripts, "the page loads its modules with <script src>"
    for attrs, body in scripts:
        assert "src=" in attrs and not body.strip()
    assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html, flags=re.I), "inline style attribute"
    assert "<style" not in html.lower()
    assert "javascript:" not in html.lower()


ESCAPES = [
    "/static/../secret.txt",
    "/static/%2e%2e/secret.txt",
    "/static/%2E%2E%2Fsecret.txt",
    "/static/..%2fsecret.txt",
    "/static/..%5csecret.txt",
    "/static/.%2e/secret.txt",
    "/static/%252e%252e/secret.txt",
    "/static/ok.txt/../../secret.txt",
    "/static/./../secret.txt",
    "/static/..;/secret.txt",
    "/static/link.txt",
    "/static/linkdir/secret.txt",
    "/static/%00../secret.txt",
    "/static/ok.txt%00.png",
]


@pytest.mark.parametrize("target", ESCAPES)
def test_static_paths_cannot_escape(served: tuple[str, Path], target: str) -> None:
    status, body = raw_get(served[0], target)
    assert SECRET.encode() not in body
    assert status in (400, 404), (target, status)


@pytest.mark.parametrize("form", ["{p}", "{p_enc}", "%2f{p}"])
def test_static_absolute_paths_cannot_escape(served: tuple[str, Path], form: str) -> None:
    url, secret = served
    target = "/static/" + form.format(p=str(secret), p_enc=str(secret).replace("/", "%2f"))
    status, body = raw_get(url, target)
    assert SECRET.encode() not in body
    assert status in (400, 404), (target, status)


def test_absolute_form_request_target(served: tuple[str, Path]) -> None:
    url, _ = served
    status, body = raw_get(url, url + "/static/../secret.txt")
    assert SECRET.encode() not in body
    assert status in (400, 404)


def test_inside_file_is_served(served: tuple[str, Path]) -> None:
    status, body = raw_get(served[0], "/static/ok.txt")
    assert (status, body) == (200, b"inside static\n")
