"""The OpenAPI document comes from the code: FastAPI generates the multipart form of
/api/convolve and /api/pipeline from their File() / Form() parameters, the JSON alternative is
the request model's own schema, nothing replaces `app.openapi`, and every $ref resolves."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.schemas import ConvolveRequest, PipelineRequest


def test_app_openapi_is_not_patched(app: FastAPI) -> None:
    assert "openapi" not in vars(app) and type(app).openapi is FastAPI.openapi


@pytest.mark.parametrize(("path", "spec", "model"), [
    ("/api/convolve", "ConvSpec", ConvolveRequest),
    ("/api/pipeline", "PipelineSpec", PipelineRequest)])
def test_both_bodies_are_documented(client: TestClient, path: str, spec: str, model: type) -> None:
    doc = client.get("/openapi.json").json()
    content = doc["paths"][path]["post"]["requestBody"]["content"]
    form_ref = content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    form = doc["components"]["schemas"][form_ref]
    refs = {"image_ref"} if path == "/api/convolve" else set()  # an earlier upload's sha256
    assert set(form["properties"]) == {"image", "spec", *refs}
    image = form["properties"]["image"]["anyOf"][0]
    assert image["type"] == "array"
    assert image["items"]["contentMediaType"] == "application/octet-stream"
    spec_doc = json.dumps(form["properties"]["spec"])
    assert f"#/components/schemas/{spec}" in spec_doc and "application/json" in spec_doc
    body = content["application/json"]["schema"]
    expected = model.model_json_schema(ref_template="#/components/schemas/{model}")
    expected.pop("$defs")
    assert body == expected


def test_every_ref_resolves(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    text = json.dumps(doc)
    refs = {r.split('"')[0] for r in text.split('"$ref": "')[1:]}
    assert refs and all(r.startswith("#/components/schemas/") for r in refs)
    assert {r.rsplit("/", 1)[-1] for r in refs} <= set(doc["components"]["schemas"])


def test_multipart_spec_is_validated_by_fastapi(client: TestClient) -> None:
    """A bad spec field: the one error shape, field named from the spec's own path."""
    files = {"image": ("a.png", b"\x89PNG\r\n\x1a\n", "image/png")}
    r = client.post("/api/convolve", files=files, data={"spec": '{"stride": 0}'})
    err = r.json()["error"]
    assert r.status_code == 422 and (err["code"], err["field"], err["limit"]) == (
        "out_of_range", "spec.stride", 1)
    r = client.post("/api/convolve", files=files, data={"spec": "{not json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json"
    assert r.json()["error"]["field"] == "spec"


def test_predict_bodies_are_documented(client: TestClient) -> None:
    from app.schemas.models import PredictRequest

    doc = client.get("/openapi.json").json()
    content = doc["paths"]["/api/models/{model_id}/predict"]["post"]["requestBody"]["content"]
    form_ref = content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(doc["components"]["schemas"][form_ref]["properties"]) == {"image", "previews"}
    expected = PredictRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    expected.pop("$defs", None)
    assert content["application/json"]["schema"] == expected
