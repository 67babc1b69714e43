"""Issue 16 items 5 and 9 at the API: lax coercion refused, predict refuses booleans, q=0 on
/filters, HEAD on every GET route, no redirect built from Host, a 400-digit kernel parameter
is a 422 (and the keep-alive connection survives it under gunicorn)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import create_app

from .conftest import Server
from .rawhttp import connect, read_reply

SLIDE = [[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]]
HUGE = 10**400


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


@pytest.mark.parametrize(("field", "value", "code"), [
    ("stride", True, 422), ("stride", "2", 422), ("stride", 2.5, 422), ("depthwise", 0, 422),
    ("pad", False, 422), ("stride", 2, 200), ("depthwise", False, 200)])
def test_no_lax_coercion(client: TestClient, field: str, value: object, code: int) -> None:
    r = client.post("/api/convolve", json={"input": SLIDE, "spec": {"kernel": [[1]],
                                                                    field: value}})
    assert r.status_code == code, r.text
    if code == 422:
        assert r.json()["error"]["field"] == f"spec.{field}"


def test_pipeline_layers_are_strict_too(client: TestClient) -> None:
    spec = {"layers": [{"type": "pool", "size": "2"}]}
    r = client.post("/api/pipeline", json={"input": SLIDE, "spec": spec})
    assert r.status_code == 422 and r.json()["error"]["field"] == "spec.layers.0.pool.size"


@pytest.mark.parametrize(("pixel", "code"), [(True, 422), (1, 200), (0.5, 200)])
def test_predict_refuses_booleans(client: TestClient, pixel: object, code: int) -> None:
    digit: list[list[object]] = [[0.0] * 28 for _ in range(28)]
    digit[3][4] = pixel
    r = client.post("/api/models/simple-convnet/predict", json={"input": digit})
    assert r.status_code == code, r.text
    if code == 422:
        assert r.json()["error"]["field"] == "input.3.4"


@pytest.mark.parametrize(("accept", "status", "media"), [
    ("image/png;q=0", 406, "application/json"), ("application/json, image/png;q=0", 200,
                                                 "application/json"),
    ("image/png", 200, "image/png"), ("image/png;q=0.5, application/json;q=0.4", 200,
                                      "image/png"),
    ("application/x-npy", 406, "application/json")])
def test_filters_accept(client: TestClient, accept: str, status: int, media: str) -> None:
    r = client.get("/api/models/simple-convnet/filters", headers={"accept": accept})
    assert (r.status_code, r.headers["content-type"].split(";")[0]) == (status, media)


PAGES = ("/", "/favicon.ico", "/docs")  # GET routes outside the OpenAPI schema


def _get_paths(client: TestClient) -> list[str]:
    """Every GET route: the OpenAPI's (path parameters filled in) and the pages."""
    sample = client.get("/api/samples").json()
    sample_id = (sample[0] if isinstance(sample, list) else sample["samples"][0])["id"]
    paths = [p.replace("{model_id}", "simple-convnet").replace("{sample_id}", sample_id)
             for p, ops in client.get("/openapi.json").json()["paths"].items() if "get" in ops]
    return [*PAGES, *paths]


def test_head_on_every_get_route(client: TestClient) -> None:
    paths = _get_paths(client)
    assert "/" in paths and "/api/health" in paths and len(paths) >= 8
    for path in paths:
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code, path
        assert head.content == b"" and head.headers.get("content-type") == \
            get.headers.get("content-type"), path
    assert client.head("/").status_code == 200
    assert client.head("/static/favicon.svg").status_code == 200
    assert client.head("/api/convolve").status_code == 405  # POST only: still 405


def test_no_redirect_built_from_host(client: TestClient) -> None:
    for path in ("/api/kernels/", "/api/models/", "/api/health/"):
        r = client.get(path, headers={"host": "evil.example"}, follow_redirects=False)
        assert r.status_code == 404 and "location" not in r.headers, path


@pytest.mark.parametrize("value", [HUGE, -HUGE, 10**308 * 10])
def test_huge_integer_kernel_parameter_is_422(client: TestClient, value: int) -> None:
    spec = {"kernel": {"id": "gaussian", "size": 3, "sigma": value}}
    r = client.post("/api/convolve", json={"input": SLIDE, "spec": spec})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_kernel_param"
    assert r.json()["error"]["field"] == "spec.kernel.sigma"
    assert r.json()["error"]["limit"] == "0.1..10"


def test_huge_integer_keeps_the_connection(gunicorn) -> None:  # type: ignore[no-untyped-def]
    server: Server = gunicorn()
    body = (b'{"input": [[1, 2], [3, 4]], "spec": {"kernel": {"id": "box-blur", "size": '
            + str(HUGE).encode() + b'}}}')
    with connect(server.url) as s:
        s.sendall(b"POST /api/convolve HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body) + body)
        first = read_reply(s)
        s.sendall(b"GET /api/health HTTP/1.1\r\nHost: t\r\n\r\n")
        second = read_reply(s)
    assert first.status == 422 and first.json()["error"]["field"] == "spec.kernel.size"
    assert second.status == 200
