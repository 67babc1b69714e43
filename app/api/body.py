"""Read the body of /api/convolve and /api/pipeline: JSON {"input", "spec"} or multipart
(`image` files + a `spec` field holding JSON). Anything else → 415. Also documents both
request bodies in OpenAPI (`body_doc`, `add_request_schemas`)."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema
from starlette.datastructures import UploadFile

from app.api.capacity import run_cpu
from app.api.json_guard import parse_body, precheck
from app.api.validation import validation_api_error
from app.config import Settings
from app.errors import ApiError
from app.schemas import ConvolveRequest, PipelineRequest
from app.services.convolve import Payload

REQUEST_MODELS: tuple[type[BaseModel], ...] = (ConvolveRequest, PipelineRequest)


def validation_context(settings: Settings) -> dict[str, Any]:
    """The setting-dependent limits the request models check while validating."""
    return {"max_pipeline_layers": settings.max_pipeline_layers}


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_payload(request: Request, body_model: type[BaseModel], spec_model: type[BaseModel],
                       settings: Settings) -> Payload:
    """JSON → body_model; multipart → image bytes + spec_model (from the `spec` field)."""
    media = _media_type(request)
    if media == "application/json" or media.endswith("+json"):
        body = await request.body()
        try:  # parsing up to max_body_bytes of JSON is CPU work: off the event loop
            spec, nested = await run_cpu(_read_json, body, body_model, settings)
        except ValidationError as e:
            raise validation_api_error(e.errors(include_url=False)) from None
        return Payload(spec=spec, nested=nested)
    if media == "multipart/form-data":
        return await _read_multipart(request, spec_model, settings)
    raise ApiError("unsupported_media_type", variant="convolve" if media else "convolve_untyped",
                   field="Content-Type", limit="application/json, multipart/form-data",
                   media=media)


def _read_json(body: bytes, body_model: type[BaseModel], settings: Settings) -> tuple[Any, Any]:
    """(spec, input) — the raw-byte pre-check (depth, value count) first, then a lean parse."""
    precheck(body, settings.max_input_values, settings.max_kernel_values)
    return parse_body(body, body_model, validation_context(settings))


async def _read_multipart(request: Request, spec_model: type[BaseModel],
                          settings: Settings) -> Payload:
    # counted here (422 naming the limit) rather than by the parser (a bare 400); the body
    # limit bounds what the parser can be made to hold
    form = await request.form(max_files=max(1000, settings.max_images + 1), max_fields=32,
                              max_part_size=settings.max_body_bytes)
    images = form.getlist("image")
    if not images:
        raise ApiError("missing", variant="images", field="image")
    if len(images) > settings.max_images:
        raise ApiError("too_many_images", field="image", limit=settings.max_images)
    if not all(isinstance(f, UploadFile) for f in images):
        raise ApiError("invalid", variant="image_text", field="image")
    if len(form.getlist("spec")) > 1:
        raise ApiError("too_many_items", variant="spec_fields", field="spec", limit=1)
    raw_spec = form.get("spec") or "{}"
    if not isinstance(raw_spec, str):
        raw_spec = (await raw_spec.read()).decode("utf-8", "replace")
    try:
        # up to max_body_bytes of JSON (~3 s for 10 MiB of layers): CPU work, off the loop
        spec = await run_cpu(partial(spec_model.model_validate_json, raw_spec,
                                     context=validation_context(settings)))
    except ValidationError as e:
        raise validation_api_error(e.errors(include_url=False), prefix="spec") from None
    return Payload(spec=spec, files=[await f.read() for f in images])  # type: ignore[union-attr]


def body_doc(json_model: str, spec_model: str) -> dict[str, Any]:
    """openapi_extra documenting the two request bodies of a route."""
    multipart = {
        "type": "object", "required": ["image"],
        "properties": {
            "image": {"type": "array", "items": {"type": "string", "format": "binary"},
                      "description": "One or more images (PNG, JPEG, GIF, BMP, WebP); several "
                                     "make a batch (N ≤ max_images, 16)."},
            "spec": {"type": "string", "description": f"JSON of {spec_model}."},
        },
    }
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{json_model}"}},
        "multipart/form-data": {"schema": multipart},
    }}}


def add_request_schemas(app: FastAPI) -> None:
    """Put the request models (read by hand, not by FastAPI) into OpenAPI's components."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = original()
        _, defs = models_json_schema([(m, "validation") for m in REQUEST_MODELS],
                                     ref_template="#/components/schemas/{model}")
        comps = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, s in defs.get("$defs", {}).items():
            comps.setdefault(name, s)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
