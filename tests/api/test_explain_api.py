"""POST /api/models/{id}/explain and POST /api/backward over HTTP: answers, limits at LIMIT and
LIMIT + 1 (static and from the settings), catalogue errors, the OpenAPI document."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.imaging.stroke_digits import sample_digits

DIGIT = sample_digits()[0][7, 0].round(4).tolist()  # a 1


def _explain(client: TestClient, model: str = "slide4-cnn", **body):
    return client.post(f"/api/models/{model}/explain", json={"input": DIGIT, **body})


def _error(r, status: int, code: str, field: str) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"] if "error" in r.json() else r.json()
    assert err["code"] == code and err["field"] == field, err
    return err


@pytest.mark.parametrize("method", ["saliency", "gradcam", "occlusion", "maximize"])
def test_each_method_answers_with_its_map_and_steps(client: TestClient, method: str) -> None:
    r = _explain(client, method=method, steps=5)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["method"] == method and body["target"] == body["predicted"] == 1
    assert np.asarray(body["map"]).shape == tuple(body["shape"])
    assert body["steps"] and all({"name", "formula", "values"} <= set(s) for s in body["steps"])
    want = {"saliency": [28, 28], "gradcam": None, "occlusion": [8, 8], "maximize": [28, 28]}
    if want[method]:
        assert body["shape"] == want[method]
    if method == "gradcam":
        assert body["layer"] == "conv3" and np.asarray(body["overlay"]).shape == (28, 28)
        alpha = next(s for s in body["steps"] if s["name"] == "alpha")["values"]
        assert len(alpha) == body["shape"][0] or len(alpha) > 1
    if method == "maximize":
        assert body["layer"] == "conv1" and len(body["patches"]) == 9


def test_target_at_limit_and_beyond(client: TestClient) -> None:
    assert _explain(client, method="saliency", target=9).json()["target"] == 9
    err = _error(_explain(client, method="saliency", target=10), 422, "explain_limit", "target")
    assert err["limit"] == 9


def test_filter_index_at_limit_and_beyond(client: TestClient) -> None:
    n = 30  # simple-convnet's conv1 has 30 filters
    r = _explain(client, "simple-convnet", method="maximize", index=n - 1, steps=2)
    assert r.status_code == 200 and r.json()["index"] == n - 1
    err = _error(_explain(client, "simple-convnet", method="maximize", index=n, steps=2), 422,
                 "explain_limit", "index")
    assert err["limit"] == n - 1


def test_patch_at_limit_and_beyond(client: TestClient) -> None:
    r = _explain(client, method="occlusion", patch=28, stride=1)
    assert r.status_code == 200 and r.json()["shape"] == [1, 1]
    _error(_explain(client, method="occlusion", patch=29, stride=1), 422, "explain_limit", "patch")


def test_steps_limit_follows_the_setting(client: TestClient, override) -> None:
    override(explain_max_steps=3)
    assert _explain(client, method="maximize", steps=3).status_code == 200
    err = _error(_explain(client, method="maximize", steps=4), 422, "explain_limit", "steps")
    assert err["limit"] == 3


def test_occlusion_positions_limit_follows_the_setting(client: TestClient, override) -> None:
    """patch 7, stride 3 on 28×28: 8×8 = 64 positions — at the limit 64, beyond the limit 63."""
    override(explain_max_positions=64)
    assert _explain(client, method="occlusion", patch=7, stride=3).json()["positions"] == 64
    override(explain_max_positions=63)
    err = _error(_explain(client, method="occlusion", patch=7, stride=3), 422, "explain_limit",
                 "stride")
    assert err["limit"] == 63 and "64" in err["message"]


def test_layer_input_and_model_errors(client: TestClient) -> None:
    _error(_explain(client, method="gradcam", layer="conv9"), 422, "unknown_layer", "layer")
    r = client.post("/api/models/slide4-cnn/explain",
                    json={"input": [[0.0] * 27] * 28, "method": "saliency"})
    _error(r, 422, "model_input_mismatch", "input")
    assert client.post("/api/models/nope/explain",
                       json={"input": DIGIT, "method": "saliency"}).status_code == 404
    r = client.post("/api/models/slide4-cnn/explain", json={"input": DIGIT, "method": "lime"})
    assert r.status_code == 422
    big = [[1e6 + 1] * 28] * 28
    r = client.post("/api/models/slide4-cnn/explain", json={"input": big, "method": "saliency"})
    assert r.status_code == 422


def test_backward_answers_and_its_static_limits(client: TestClient) -> None:
    x = np.arange(16, dtype=float).reshape(1, 4, 4) / 10
    body = {"x": x.tolist(), "W": [[[[1, 0], [0, -1]]]], "b": [0.5]}
    r = client.post("/api/backward", json=body)
    assert r.status_code == 200, r.text
    j = r.json()
    assert j["shape"]["col"] == [9, 4] and j["coverage"][1][1] == 4 and j["db"] == [9.0]
    assert max(j["numerical"]["max_abs_error"].values()) < 1e-3
    assert client.post("/api/backward", json={**body, "x": [[[0.0] * 12] * 12]}).status_code == 200
    r = client.post("/api/backward", json={**body, "x": [[[0.0] * 13] * 12]})
    assert r.status_code == 422 and "x" in r.text
    r = client.post("/api/backward", json={**body, "dout": [[[1.0, 2.0]]]})
    _error(r, 422, "backward_shape", "dout")


def test_openapi_documents_both_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    op = paths["/api/models/{model_id}/explain"]["post"]
    assert "requestBody" in op and "422" in op["responses"] and "404" in op["responses"]
    assert "/api/backward" in paths


def test_gradcam_channels_sends_the_largest_alpha_terms_only(client: TestClient) -> None:
    full = _explain(client, "simple-convnet", method="gradcam", layer="conv1")
    top = _explain(client, "simple-convnet", method="gradcam", layer="conv1", channels=8)
    assert full.status_code == top.status_code == 200
    f, t = full.json(), top.json()
    steps = {s["name"]: s["values"] for s in f["steps"]}
    small = {s["name"]: s["values"] for s in t["steps"]}
    alpha = np.asarray(steps["alpha"])
    want = np.argsort(-np.abs(alpha), kind="stable")[:8].tolist()
    assert f["channels"] == list(range(30)) and t["channels"] == want
    np.testing.assert_array_equal(np.asarray(small["terms"]), np.asarray(steps["terms"])[want])
    np.testing.assert_array_equal(np.asarray(small["activations"]),
                                  np.asarray(steps["activations"])[want])
    for name in ("alpha", "weighted_sum", "relu"):  # complete in both
        assert small[name] == steps[name]
    assert t["map"] == f["map"]
    formulas = {s["name"]: s["formula"] for s in t["steps"]}
    assert formulas["terms"] == "α_k·A^k, k ∈ {" + ", ".join(map(str, want)) + "}"
    assert all("∈" not in s["formula"] for s in f["steps"])
    assert len(top.content) < len(full.content) / 3  # 8 of 30 channels' maps


def test_gradcam_channels_limits(client: TestClient) -> None:
    r = _explain(client, "simple-convnet", method="gradcam", layer="conv1", channels=1024)
    assert r.status_code == 200 and len(r.json()["channels"]) == 30  # more than K: all K
    for bad in (0, 1025):
        r = _explain(client, "simple-convnet", method="gradcam", layer="conv1", channels=bad)
        assert r.status_code == 422 and "channels" in r.text


@pytest.mark.parametrize("method", ["saliency", "gradcam", "occlusion", "maximize"])
def test_the_colour_model_answers_every_method(client: TestClient, method: str) -> None:
    """color-vgg (3×32×32): maximize's patches come from synthetic colour pictures, with their
    three channels (it answered 500 when it was given the one-channel sample digits)."""
    from app.models.datasets.synthetic import generate

    x = generate(1, 3)[0][0]
    r = client.post("/api/models/color-vgg/explain",
                    json={"input": x.tolist(), "method": method, "steps": 5, "patch": 8,
                          "stride": 8, "layer": "conv1"})
    assert r.status_code == 200, r.text
    body = r.json()
    if method == "maximize":
        patches = body["patches"]
        assert len(patches) == 9 and np.asarray(patches[0]["patch"]).shape == (3, 3, 3)
        assert body["shape"] == [3, 32, 32]
