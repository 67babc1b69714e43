"""Read the body of /api/convolve and /api/pipeline: JSON {"input", "spec"} or multipart
(`image` files + a `spec` field holding JSON). Anything else → 415.

The multipart form is declared with FastAPI's own `File()` / `Form()` parameters (`spec` as
`Json[ConvSpec]` / `Json[PipelineSpec]`), so FastAPI parses, validates and documents it. A JSON
body is read here instead (a raw-byte guard first, then a lean parse in the CPU pool: up to
10 MiB of numbers must not go through per-element validation on the event loop); FastAPI
documents one media type per operation, so `json_body_doc` adds the JSON alternative to the
generated requestBody from the pydantic model's own schema (`openapi_extra`, merged by FastAPI;
the model's definitions are the components FastAPI generates for the form's `spec`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import File, Form, Request, UploadFile
from pydantic import BaseModel, Json, ValidationError

from app.api.capacity import run_cpu
from app.api.json_guard import parse_body, precheck
from app.api.validation import validation_api_error
from app.config import Settings
from app.deps import SettingsDep, StoreDep
from app.errors import ApiError
from app.schemas import ConvolveRequest, ConvSpec, PipelineRequest, PipelineSpec
from app.services import image_cache
from app.services.convolve import Payload
from app.store import Store

IMAGES_DOC = ("One or more images (PNG, JPEG, GIF, BMP, WebP); several make a batch "
              "(N ≤ max_images, 16). Required with multipart/form-data.")
ImageFiles = Annotated[list[UploadFile] | None, File(description=IMAGES_DOC)]
ImageRef = Annotated[str | None, Form(pattern=image_cache.REF_PATTERN, description=(
    "Instead of `image`: the `image_ref` of an earlier response (sha256 of the uploaded bytes; "
    "the server keeps image_cache_cap images for image_cache_ttl_s). 410 image_ref_unknown "
    "when it is no longer kept: send the file again."))]


def json_body_doc(model: type[BaseModel]) -> dict[str, Any]:
    """openapi_extra: the application/json alternative of a route's generated multipart body."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)  # the same models FastAPI puts in components for the form's spec
    return {"requestBody": {"required": True,
                            "content": {"application/json": {"schema": schema}}}}


def validation_context(settings: Settings) -> dict[str, Any]:
    """The setting-dependent limits the request models check while validating."""
    return {"max_pipeline_layers": settings.max_pipeline_layers}


def form_limits(settings: Settings) -> dict[str, int]:
    """FastAPI's multipart limits: files and the spec's size are counted by the routes (a 422
    naming the limit rather than the parser's bare 400); the body limit bounds the rest."""
    return {"max_files": max(1000, settings.max_images + 1), "max_fields": 32,
            "max_part_size": settings.max_body_bytes}


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_convolve(request: Request, settings: SettingsDep, store: StoreDep,
                        image: ImageFiles = None, image_ref: ImageRef = None,
                        spec: Annotated[Json[ConvSpec] | None, Form(
                            description="JSON of ConvSpec (defaults when omitted).")] = None,
                        ) -> Payload:
    """The body of POST /api/convolve (dependency); one uploaded image is kept by its hash."""
    if image_ref is not None:
        if image:
            raise ApiError("image_ref_unknown", variant="both", field="image_ref")
        payload = await _read(request, settings, ConvolveRequest, ConvSpec, None, spec,
                              from_ref=True)
        payload.files = [image_cache.load(store, image_ref)]
        payload.image_ref = image_ref
        return payload
    payload = await _read(request, settings, ConvolveRequest, ConvSpec, image, spec)
    return _kept(payload, store, settings)


def _kept(payload: Payload, store: Store, settings: Settings) -> Payload:
    """A single uploaded image goes to the image cache; its ref is sent back (image_ref)."""
    if payload.files is not None and len(payload.files) == 1 and payload.files[0]:
        payload.image_ref = image_cache.keep(store, payload.files[0], settings)
    return payload


async def read_pipeline(request: Request, settings: SettingsDep, image: ImageFiles = None,
                        spec: Annotated[Json[PipelineSpec] | None, Form(
                            description="JSON of PipelineSpec (required).")] = None,
                        ) -> Payload:
    """The body of POST /api/pipeline (dependency)."""
    return await _read(request, settings, PipelineRequest, PipelineSpec, image, spec)


async def _read(request: Request, settings: Settings, body_model: type[BaseModel],
                spec_model: type[BaseModel], images: list[UploadFile] | None,
                spec: BaseModel | None, from_ref: bool = False) -> Payload:
    """JSON → body_model (read here); multipart → image bytes + the spec FastAPI validated."""
    media = _media_type(request)
    if media == "application/json" or media.endswith("+json"):
        body = await request.body()
        try:  # parsing up to max_body_bytes of JSON is CPU work: off the event loop
            spec, nested = await run_cpu(_read_json, body, body_model, settings)
        except ValidationError as e:
            raise validation_api_error(e.errors(include_url=False)) from None
        return Payload(spec=spec, nested=nested)
    if media == "multipart/form-data":
        return await _multipart(request, settings, spec_model, images, spec, from_ref)
    raise ApiError("unsupported_media_type", variant="convolve" if media else "convolve_untyped",
                   field="Content-Type", limit="application/json, multipart/form-data",
                   media=media)


def _read_json(body: bytes, body_model: type[BaseModel], settings: Settings) -> tuple[Any, Any]:
    """(spec, input) — the raw-byte pre-check (depth, value count) first, then a lean parse."""
    precheck(body, settings.max_input_values, settings.max_kernel_values)
    return parse_body(body, body_model, validation_context(settings))


async def _multipart(request: Request, settings: Settings, spec_model: type[BaseModel],
                     images: list[UploadFile] | None, spec: BaseModel | None,
                     from_ref: bool = False) -> Payload:
    form = await request.form()  # the form FastAPI parsed (cached): counts the raw fields
    if not form.getlist("image") and not from_ref:
        raise ApiError("missing", variant="images", field="image")
    if len(form.getlist("image")) > settings.max_images:
        raise ApiError("too_many_images", field="image", limit=settings.max_images)
    if len(form.getlist("spec")) > 1:
        raise ApiError("too_many_items", variant="spec_fields", field="spec", limit=1)
    if spec is None:  # no spec field: the defaults (a pipeline has none: 422 spec.layers)
        try:
            spec = spec_model.model_validate({})
        except ValidationError as e:
            raise validation_api_error(e.errors(include_url=False), prefix="spec") from None
    layers = getattr(spec, "layers", None)
    if layers is not None and len(layers) > settings.max_pipeline_layers:
        raise ApiError("too_many_items", variant="layers", field="spec.layers",
                       limit=settings.max_pipeline_layers, count=len(layers))
    return Payload(spec=spec, files=[await f.read() for f in images or []])
