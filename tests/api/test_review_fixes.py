"""Defects a review confirmed: booleans read as numbers, q=0 ignored beside */*, PNG maps beyond
64 dropped silently, the default kernel not fitting a 1×1 input."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.render import negotiate
from tests.api.helpers import SLIDE_KERNEL


def _error(r: object) -> tuple[int, str, str]:
    body = r.json()["error"]  # type: ignore[attr-defined]
    return r.status_code, body["code"], body["field"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("x", [[[True, 2], [1, 1]], [[1.5, False], [1, 1]], [[[[1, 2], [3, True]]]],
                               [[True]]])
def test_boolean_input_entries_are_refused(client: TestClient, x: list) -> None:
    r = client.post("/api/convolve", json={"input": x, "spec": {"kernel": [[1]]}})
    assert _error(r) == (422, "invalid_array", "input")


@pytest.mark.parametrize("k", [[[True, 0.5]], [[True]], [[[[1, False]]]], [[1, 2], [0, True]]])
def test_boolean_kernel_entries_are_refused(client: TestClient, k: list) -> None:
    x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    r = client.post("/api/convolve", json={"input": x, "spec": {"kernel": k}})
    assert _error(r) == (422, "invalid_array", "spec.kernel")


def test_boolean_kernel_in_a_pipeline_is_refused(client: TestClient) -> None:
    layers = [{"type": "conv", "kernel": [[1, True]]}]
    r = client.post("/api/pipeline", json={"input": [[1, 2], [3, 4]], "spec": {"layers": layers}})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_array"
    assert r.json()["error"]["field"].endswith("kernel")


def test_true_elsewhere_in_the_body_does_not_refuse_numbers(client: TestClient) -> None:
    x = [[0, 1, 2], [3, 4, 5]]
    r = client.post("/api/convolve", json={"input": x, "spec": {"kernel": [[1]],
                                                                 "depthwise": True}})
    assert r.status_code == 200, r.text
    assert r.json()["output"] == [[[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]]]


@pytest.mark.parametrize(("accept", "media"), [
    ("application/json;q=0, */*", "image/png"),
    ("application/json;q=0, image/png;q=0, */*", "application/x-npy"),
    ("application/*;q=0, */*;q=0.2", "image/png"),
    ("application/*;q=0, application/json", "application/json"),
    ("image/png;q=0, image/*, application/json;q=0.1", "application/json"),
    ("*/*", "application/json"),
])
def test_negotiate_honours_q0_beside_wildcards(accept: str, media: str) -> None:
    assert negotiate(accept) == media


def test_explicit_q0_with_star_answers_another_type(client: TestClient) -> None:
    body = {"input": [[1, 2], [3, 4]], "spec": {"kernel": [[1]]}}
    r = client.post("/api/convolve", json=body, headers={"Accept": "application/json;q=0, */*"})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content[:8] == b"\x89PNG\r\n\x1a\n"
    r = client.post("/api/convolve", json=body,
                    headers={"Accept": "application/json;q=0, image/png;q=0, "
                                       "application/x-npy;q=0, */*"})
    assert r.status_code == 406


def test_png_says_how_many_maps_it_shows(client: TestClient) -> None:
    x = np.arange(16 * 4, dtype=float).reshape(16, 1, 2, 2).tolist()  # N = 16
    bank = [[[[float(f + 1)]]] for f in range(64)]  # FN = 64 → 1,024 maps
    r = client.post("/api/convolve", json={"input": x, "spec": {"kernel": bank}},
                    headers={"Accept": "image/png"})
    assert r.status_code == 200 and r.headers["x-convscope-maps"] == "64 of 1024"
    r = client.post("/api/convolve", json={"input": [[1, 2], [3, 4]], "spec": {"kernel": [[1]]}},
                    headers={"Accept": "image/png"})
    assert r.headers["x-convscope-maps"] == "1 of 1"
    layers = [{"type": "conv", "kernel": [[[[1]]], [[[2]]], [[[3]]]]}]
    r = client.post("/api/pipeline", json={"input": [[1, 2], [3, 4]], "spec": {"layers": layers}},
                    headers={"Accept": "image/png"})
    assert r.status_code == 200 and r.headers["x-convscope-maps"] == "3 of 3"


def test_openapi_documents_the_maps_header(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/convolve", "/api/pipeline"):
        ok = paths[path]["post"]["responses"]["200"]
        assert "X-ConvScope-Maps" in ok["headers"] and "64 of 1024" in ok["description"]


def test_default_kernel_fits_a_1x1_input(client: TestClient) -> None:
    r = client.post("/api/convolve", json={"input": [[7]]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["output"] == [[[[7.0]]]] and body["shape"] == [1, 1, 1, 1]
    assert body["kernel"]["values"] == [[1.0]]
    r = client.post("/api/convolve", json={"input": SLIDE_KERNEL, "spec": {}})
    assert r.json()["output"] == [[[[float(v) for v in row] for row in SLIDE_KERNEL]]]


def test_bool_detection_on_lists_and_raw_bytes() -> None:
    from app.json_body import _may_hold_bool_items, contains_bool
    assert contains_bool([[1, 2], [3, True]]) and contains_bool([[[False]]])
    assert not contains_bool([[1, 2.5], [3, 4]]) and not contains_bool([])
    assert _may_hold_bool_items(b'{"input": [[1, 2], [3,\n true]]}')
    assert _may_hold_bool_items(b'{"input": [false]}')
    assert not _may_hold_bool_items(b'{"input": [[1]], "spec": {"depthwise": true, "k": "true"}}')
