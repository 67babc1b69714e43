"""/api/models: the learned models, their layers and filters, and predictions with every stage."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response

from app.api.body import json_body_doc
from app.api.capacity import run_cpu
from app.api.media import JSON, NPY, negotiate
from app.api.media import PNG as PNG_TYPE
from app.api.predict_body import read_predict_body
from app.deps import ModelsDep, SettingsDep, StoreDep
from app.engine.network import Network
from app.errors import ERROR_RESPONSES, ApiError, ErrorResponse
from app.models.onnx_repo import OnnxRepository
from app.models.store import ModelEntry
from app.models.timeline import network_at
from app.schemas.models import (
    FiltersResponse,
    ModelDetail,
    ModelList,
    PredictRequest,
    PredictResponse,
)
from app.services.onnx_models import summary as onnx_summary
from app.services.predict import (
    PredictBody,
    detail,
    filters,
    filters_png,
    predict_body,
    summary,
)

router = APIRouter(prefix="/api", tags=["models"], responses={
    404: {"model": ErrorResponse, "description": "Unknown model id."},
    **ERROR_RESPONSES})

LayerQuery = Annotated[str, Query(max_length=64, description="A conv layer, e.g. conv1.")]
StepQuery = Annotated[int | None, Query(ge=0, le=10**9, description=(
    "A training step with a checkpoint (GET /api/models/{id}/checkpoints); default the final "
    "weights."))]
PNG = {"content": {"image/png": {}}, "description": "JSON, or the PNG grid (Accept: image/png)."}


def _network(model_id: str, models: ModelsDep, step: StepQuery = None) -> Network:
    """The model's Network (404 unknown_model) at `step` (422 unknown_step), before the body
    is read."""
    return network_at(models.entry(model_id), step)


def _conv_layer(entry: ModelEntry, layer: str) -> str:
    names = entry.network.conv_layer_names()
    if layer not in names:
        known = ", ".join(names)
        raise ApiError("unknown_layer", variant="route", field="layer", limit=known,
                       model=entry.id, layer=layer)
    return layer


INCLUDE_MAX = 8  # ids in ?include=
_ID = r"onnx-[A-Za-z0-9_-]{1,64}"
IncludeQuery = Annotated[str | None, Query(
    max_length=INCLUDE_MAX * 70, pattern=rf"^{_ID}(,{_ID}){{0,{INCLUDE_MAX - 1}}}$",
    description=f"Up to {INCLUDE_MAX} imported model ids (comma-separated) to add to the list; "
    "ids unknown or expired are left out. Uploaded models are never listed otherwise.")]


@router.get("/models", response_model=ModelList)
def list_models(models: ModelsDep, store: StoreDep, settings: SettingsDep,
                include: IncludeQuery = None) -> ModelList:
    """The learned models: id, name, input shape (C, H, W), validation accuracy; then the
    permanent imported models (CONVSCOPE_MODELS_DIR) and the uploaded ones named in `include`."""
    rows = [summary(e) for e in models]
    repository = OnnxRepository.from_settings(store, settings)
    wanted = repository.permanent_ids() + (include.split(",") if include else [])
    for model_id in dict.fromkeys(wanted):  # in order, once each
        try:
            rows.append(onnx_summary(repository.get(model_id)))
        except ApiError:  # expired, or a stale id from the page's storage
            continue
    return ModelList(models=rows)


@router.get("/models/{model_id}", response_model=ModelDetail)
def get_model(model_id: str, models: ModelsDep) -> ModelDetail:
    """One model: every layer in order with its output shape and parameter count; the card."""
    return detail(models.entry(model_id))


@router.get("/models/{model_id}/curve.png", response_class=FileResponse,
            responses={200: {"content": {"image/png": {}}}})
def get_curve(model_id: str, models: ModelsDep) -> FileResponse:
    """The model's learning curve (loss and accuracy per epoch) as a PNG."""
    entry = models.entry(model_id)
    if entry.curve is None:
        raise ApiError("not_found", variant="curve", field="model_id", model_id=model_id)
    return FileResponse(entry.curve, media_type="image/png")


@router.get("/models/{model_id}/filters", response_model=FiltersResponse, responses={200: PNG})
async def get_filters(model_id: str, request: Request, models: ModelsDep,
                      layer: LayerQuery = "conv1", step: StepQuery = None) -> Any:
    """A conv layer's weights (FN, C, FH, FW) as JSON values and a PNG grid (data URL), or the
    PNG itself with `Accept: image/png`."""
    entry = models.entry(model_id)
    name = _conv_layer(entry, layer)
    if step is not None:
        entry = replace(entry, network=network_at(entry, step))
    media = negotiate(request.headers.get("accept"))  # q=0 honoured; 406 when none fits
    if media == NPY:
        raise ApiError("not_acceptable", variant="filters", field="Accept",
                       limit=f"{JSON}, {PNG_TYPE}")
    if media == PNG_TYPE:
        png = await run_cpu(filters_png, entry.network.conv_weights(name))
        return Response(png, media_type="image/png")
    return await run_cpu(filters, entry, name)


@router.post("/models/{model_id}/predict", response_model=PredictResponse,
             openapi_extra=json_body_doc(PredictRequest))
async def predict(net: Annotated[Network, Depends(_network)],
                  body: Annotated[PredictBody, Depends(read_predict_body)],
                  settings: SettingsDep) -> PredictResponse:
    """Classify a digit: multipart `image` (prepared the MNIST way) or JSON `input` (28×28 in
    [0, 1], used as is) → probabilities (10), label, the prepared input and every stage."""
    return await run_cpu(predict_body, net, body, settings)
