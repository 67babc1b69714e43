"""Media negotiation and encoding (app.api.media): q=0 honoured beside wildcards, the PNG grid
says how many maps it shows, OpenAPI documents it."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.api.media import negotiate


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
