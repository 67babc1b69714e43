"""Kernels, geometry, pipeline, learned filters and the error shape (en / ja)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.engine.kernels import CATALOGUE
from app.engine.network import build
from app.models.store import ModelEntry, ModelStore
from tests.api.helpers import SLIDE7_INPUT, SLIDE_KERNEL

ERROR_KEYS = {"code", "field", "limit", "message"}


def test_kernel_catalogue(client: TestClient) -> None:
    body = client.get("/api/kernels").json()
    ids = [k["id"] for k in body["kernels"]]
    assert ids == list(CATALOGUE)
    sobel = next(k for k in body["kernels"] if k["id"] == "sobel-x")
    assert sobel["category"] == "edge" and sobel["name_ja"]
    assert sobel["weights"] == [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    gauss = next(k for k in body["kernels"] if k["id"] == "gaussian")
    assert {p["name"] for p in gauss["params"]} >= {"size", "sigma"}
    assert all(p["min"] <= p["default"] <= p["max"] and p["label_ja"] for p in gauss["params"])


def test_catalogue_kernel_with_parameters_and_bad_parameter(client: TestClient) -> None:
    spec = {"kernel": {"id": "box-blur", "size": 3}}
    r = client.post("/api/convolve", json={"input": [[9.0] * 5] * 5, "spec": spec})
    assert r.status_code == 200
    np.testing.assert_allclose(r.json()["output"], np.full((1, 1, 3, 3), 9.0), rtol=1e-6)
    bad = {"kernel": {"id": "box-blur", "size": 4}}
    r = client.post("/api/convolve", json={"input": [[9.0] * 5] * 5, "spec": bad})
    assert r.status_code == 422 and r.json()["error"]["field"] == "spec.kernel.size"
    r = client.post("/api/convolve", json={"input": [[1]], "spec": {"kernel": "no-such"}})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_kernel"


def test_geometry_endpoint(client: TestClient) -> None:
    g = client.get("/api/geometry", params={"h": 7, "w": 8, "fh": 3, "fw": 3, "stride": 2}).json()
    assert (g["out_h"], g["out_w"], g["exact_h"], g["exact_w"]) == (3, 3, True, False)
    assert g["exact"] is False
    assert (g["dropped_rows"], g["dropped_cols"]) == (0, 1)
    assert g["formula_w"].endswith("(not exact: remainder 1)")
    r = client.get("/api/geometry", params={"h": 2, "w": 2, "fh": 5, "fw": 5, "pad": 1})
    assert r.status_code == 422 and r.json()["error"]["code"] == "kernel_larger_than_input"
    r = client.get("/api/geometry", params={"h": 0, "w": 2, "fh": 1, "fw": 1})
    assert r.status_code == 422
    assert r.json()["error"] | {"message": ""} == {"code": "out_of_range", "field": "h", "limit": 1,
                                                   "message": ""}


def test_pipeline_returns_every_stage(client: TestClient) -> None:
    layers = [{"type": "conv", "kernel": SLIDE_KERNEL, "pad": 1}, {"type": "relu"},
              {"type": "pool", "mode": "max", "size": 2},
              {"type": "conv", "kernel": [[[[1]]], [[[-1]]]], "bias": [0, 1]}]
    r = client.post("/api/pipeline", json={"input": SLIDE7_INPUT, "spec": {"layers": layers}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [s["label"] for s in body["stages"]] == ["input", "conv1", "relu1", "pool1", "conv2"]
    assert body["stages"][3]["shape"] == [1, 1, 2, 2]
    assert body["output"] == [[[[15, 16], [10, 15]], [[-14, -15], [-9, -14]]]]
    assert len(body["kernels"]) == 2 and body["kernels"][1]["FN"] == 2
    r = client.post("/api/pipeline", json={"input": SLIDE7_INPUT, "spec": {"layers": [
        {"type": "pool", "size": 2}, {"type": "pool", "size": 2}, {"type": "pool", "size": 2}]}})
    assert r.status_code == 422 and r.json()["error"]["field"] == "spec.layers.2.size"


def test_learned_filters_one_and_the_bank(app: FastAPI, client: TestClient) -> None:
    net = build("simple-convnet", seed=1)
    app.state.models = ModelStore([ModelEntry("tiny", net, source=Path("tiny.npz"))])
    bank = net.conv_weights("conv1")  # (30, 1, 5, 5)
    x = np.random.default_rng(0).random((8, 8)).astype(np.float32)
    ref = {"model": "tiny", "layer": "conv1", "index": 7}
    r = client.post("/api/convolve", json={"input": x.tolist(), "spec": {"kernel": ref}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["shape"] == [1, 1, 4, 4]
    out = np.array(body["output"])[0, 0]
    expect = np.array([[np.sum(x[i:i + 5, j:j + 5] * bank[7, 0]) for j in range(4)]
                       for i in range(4)])
    np.testing.assert_allclose(out, expect, rtol=1e-4, atol=1e-5)
    assert body["kernel"]["source"] == "tiny/conv1[7]"
    r = client.post("/api/convolve", json={"input": x.tolist(),
                                           "spec": {"kernel": {"model": "tiny", "layer": "conv1"}}})
    assert r.status_code == 200 and r.json()["shape"] == [1, 30, 4, 4]
    r = client.post("/api/convolve", json={"input": x.tolist(),
                                           "spec": {"kernel": {**ref, "index": 30}}})
    assert r.status_code == 422 and r.json()["error"]["limit"] == 29
    r = client.post("/api/convolve", json={"input": x.tolist(),
                                           "spec": {"kernel": {"model": "nope", "layer": "conv1"}}})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_model"


def test_rgb_with_a_2d_kernel_sums_the_channels(client: TestClient) -> None:
    x = [SLIDE7_INPUT, SLIDE7_INPUT, SLIDE7_INPUT]  # (C=3, H, W)
    body = client.post("/api/convolve", json={"input": x, "spec": {"kernel": SLIDE_KERNEL}}).json()
    assert body["output"] == [[[[45, 48], [18, 45]]]]
    body = client.post("/api/convolve", json={"input": x, "spec": {"kernel": SLIDE_KERNEL,
                                                                   "depthwise": True}}).json()
    assert body["output"] == [[[[15, 16], [6, 15]], [[15, 16], [6, 15]], [[15, 16], [6, 15]]]]


def test_error_shape_for_framework_errors(client: TestClient) -> None:
    for r, status, code in (
        (client.get("/api/nowhere"), 404, "not_found"),
        (client.delete("/api/kernels"), 405, "method_not_allowed"),
        (client.post("/api/convolve", content=b"x", headers={"content-type": "text/plain"}),
         415, "unsupported_media_type"),
        (client.post("/api/convolve", content=b"{", headers={"content-type": "application/json"}),
         400, "invalid_json"),
        (client.post("/api/convolve", json={"input": [[1, 2], [3]]}), 422, "invalid_array"),
        (client.post("/api/convolve", json={"spec": {}}), 422, "missing"),
    ):
        assert r.status_code == status, r.text
        assert set(r.json()["error"]) == ERROR_KEYS and r.json()["error"]["code"] == code


def test_japanese_messages(client: TestClient) -> None:
    ja = {"accept-language": "ja-JP,ja;q=0.9,en;q=0.5"}
    r = client.post("/api/convolve", json={"input": SLIDE7_INPUT, "spec": {"stride": 0}},
                    headers=ja)
    assert r.status_code == 422 and "範囲外" in r.json()["error"]["message"]
    r = client.post("/api/convolve", json={"input": [[1] * 32] * 32,
                                           "spec": {"kernel": [[1] * 32] * 32}}, headers=ja)
    assert "カーネル" in r.json()["error"]["message"] and r.json()["error"]["limit"] == 31
    assert "リソース" in client.get("/api/nowhere", headers=ja).json()["error"]["message"]
    r = client.post("/api/convolve", json={"input": SLIDE7_INPUT, "spec": {"stride": 0}},
                    headers={"accept-language": "en-US,ja;q=0.8"})
    assert not any("\u3040" <= ch <= "\u30ff" for ch in r.json()["error"]["message"])


def test_openapi_documents_the_error_shape(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    op = doc["paths"]["/api/convolve"]["post"]
    assert set(op["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    for status in ("413", "415", "422", "503"):
        ref = op["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorResponse")
    # the JSON bodies are the request models' schemas; their specs are components FastAPI made
    assert {"ConvSpec", "PipelineSpec"} <= set(doc["components"]["schemas"])
    for path, model in (("/api/convolve", "ConvolveRequest"), ("/api/pipeline", "PipelineRequest")):
        body = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body["title"] == model and set(body["properties"]) == {"input", "spec"}
    assert set(op["responses"]["200"]["content"]) >= {"application/json", "image/png",
                                                      "application/x-npy"}


def _has_latin_words(text: str) -> bool:
    return any(w in text for w in ("Input should", "valid", "integer", "List should"))


def test_japanese_messages_carry_no_english_pydantic_text(client: TestClient) -> None:
    ja = {"accept-language": "ja"}
    r = client.get("/api/geometry", params={"h": "abc", "w": 7, "fh": 3, "fw": 3}, headers=ja)
    err = r.json()["error"]
    assert (r.status_code, err["code"], err["field"]) == (422, "invalid", "h")
    assert "整数" in err["message"] and not _has_latin_words(err["message"])
    r = client.post("/api/convolve", json={"input": SLIDE7_INPUT, "spec": {"pad": "wide"}},
                    headers=ja)
    assert r.status_code == 422 and not _has_latin_words(r.json()["error"]["message"])
    en = client.get("/api/geometry", params={"h": "abc", "w": 7, "fh": 3, "fw": 3}).json()
    assert "integer" in en["error"]["message"]


def test_kernel_larger_than_input_message_states_the_geometry_once(client: TestClient) -> None:
    r = client.post("/api/convolve", json={"input": [[1, 2], [3, 4]],
                                           "spec": {"kernel": [[1] * 5] * 5, "pad": 1}})
    message = r.json()["error"]["message"]
    assert message == ("The 5×5 window does not fit in the padded input 4×4 "
                       "(H=2, W=2, P=(1,1), S=(1,1), dilation=(1,1)).")
    ja = client.post("/api/convolve", json={"input": [[1, 2], [3, 4]],
                                            "spec": {"kernel": [[1] * 5] * 5, "pad": 1}},
                     headers={"accept-language": "ja"}).json()["error"]["message"]
    assert "収まりません" in ja and "S=(1,1)" in ja


def test_catalogue_kernel_errors_in_japanese(client: TestClient) -> None:
    ja = {"accept-language": "ja"}

    def error(kernel: object) -> dict:
        r = client.post("/api/convolve", json={"input": SLIDE7_INPUT, "spec": {"kernel": kernel}},
                        headers=ja)
        assert r.status_code == 422
        return r.json()["error"]

    err = error("nope")
    assert err["code"] == "unknown_kernel" and "はありません" in err["message"]
    assert "unknown kernel" not in err["message"] and "sobel-x" in err["message"]
    err = error({"id": "gaussian", "size": 99})
    assert (err["field"], err["limit"]) == ("spec.kernel.size", "3..31 (odd)")
    assert "is outside" not in err["message"] and "size=99" in err["message"]
    err = error({"id": "gaussian", "radius": 2})
    assert err["field"] == "spec.kernel.radius" and "パラメータ 'radius'" in err["message"]


def test_multipart_with_two_spec_fields_is_refused(client: TestClient) -> None:
    from tests.api.helpers import gradient, image_bytes

    files = [("image", ("a.png", image_bytes(gradient(rgb=False)), "image/png"))]
    r = client.post("/api/convolve", files=files,
                    data={"spec": ['{"max_side": 8}', '{"max_side": 9}']})
    assert r.status_code == 422
    assert r.json()["error"] | {"message": ""} == {"code": "too_many_items", "field": "spec",
                                                   "limit": 1, "message": ""}


def test_every_documented_4xx_is_the_error_shape(client: TestClient) -> None:
    """No operation documents FastAPI's default 422 body: every 4xx is ErrorResponse."""
    doc = client.get("/openapi.json").json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status, resp in op["responses"].items():
                if status.startswith("4") and "content" in resp:
                    ref = resp["content"]["application/json"]["schema"].get("$ref", "")
                    assert ref.endswith("/ErrorResponse"), (method, path, status, ref)
    assert "HTTPValidationError" not in doc["components"]["schemas"]


def test_default_kernel_fits_a_1x1_input(client: TestClient) -> None:
    r = client.post("/api/convolve", json={"input": [[7]]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["output"] == [[[[7.0]]]] and body["shape"] == [1, 1, 1, 1]
    assert body["kernel"]["values"] == [[1.0]]
    r = client.post("/api/convolve", json={"input": SLIDE_KERNEL, "spec": {}})
    assert r.json()["output"] == [[[[float(v) for v in row] for row in SLIDE_KERNEL]]]
