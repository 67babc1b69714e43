"""Imported ONNX models: POST /api/models (upload), /api/models/onnx-… (layers, predict,
filters), and GET /api/models/{id}/onnx (any model as ONNX: shipped ones exported, imported ones
as they were uploaded). Registered before routes/models.py so that onnx- ids land here."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.api.capacity import run_cpu
from app.api.validation import validation_api_error
from app.config import Settings
from app.deps import ModelsDep, SettingsDep, StoreDep
from app.errors import ERROR_RESPONSES, ApiError, ErrorResponse
from app.models.onnx_export import network_onnx_bytes
from app.models.onnx_import import OnnxLimits
from app.models.onnx_import.limits import check_size
from app.models.onnx_repo import PREFIX, OnnxRepository
from app.schemas.onnx import OnnxModelDetail, OnnxPredictResponse
from app.services import onnx_models as svc

router = APIRouter(prefix="/api", tags=["models"], responses={
    404: {"model": ErrorResponse, "description": "Unknown model id."}, **ERROR_RESPONSES})

MAX_LABELS_BYTES = 65_536
ONNX_TYPE = "application/octet-stream"


class OnnxPredictRequest(BaseModel):
    """An input already in the model's shape: (C, H, W), or (H, W) for one channel; as is."""

    model_config = ConfigDict(extra="forbid", strict=True)
    input: list[Any] = Field(description="Nested lists in the model's input shape.")
    previews: bool = True


def repo(store: StoreDep, settings: SettingsDep) -> OnnxRepository:
    return OnnxRepository.from_settings(store, settings)


RepoDep = Annotated[OnnxRepository, Depends(repo)]


async def _read(upload: UploadFile, limit: int) -> bytes:
    data = await upload.read(limit + 1)
    check_size(len(data), OnnxLimits(max_bytes=limit))
    return data


@router.post("/models", response_model=OnnxModelDetail, status_code=201)
async def import_model(
        repository: RepoDep, settings: SettingsDep,
        file: Annotated[UploadFile, File(description="The .onnx file.")],
        labels: Annotated[UploadFile | None, File(
            description="Class labels, one per line.")] = None,
        name: Annotated[str, Form(max_length=80)] = "",
        normalisation: Annotated[str, Form(max_length=200, description=(
            "How the page prepares images: 0-1, 0-255, mnist or mean=a,b,c;std=d,e,f."))] = "0-1",
) -> OnnxModelDetail:
    """Import an ONNX CNN: checked, mapped onto the engine, proven equal to onnx.reference on
    every layer; kept in the shared store under a new unguessable id (answer 201)."""
    data = await _read(file, settings.onnx_max_bytes)
    text = None
    if labels is not None:
        raw = await labels.read(MAX_LABELS_BYTES + 1)
        try:
            text = raw.decode("utf-8") if len(raw) <= MAX_LABELS_BYTES else None
        except UnicodeDecodeError:
            text = None
        if text is None:
            raise ApiError("onnx_labels", field="labels", limit=MAX_LABELS_BYTES)
    entry = await run_cpu(lambda: repository.add(data, name=name, labels=text,
                                                 normalisation=normalisation))
    return svc.detail(entry)


@router.get("/models/onnx-{key}", response_model=OnnxModelDetail)
def get_imported(key: str, repository: RepoDep) -> OnnxModelDetail:
    """An imported model: layers with ONNX op and node, shapes, parameter formulas, FLOPs."""
    return svc.detail(repository.get(PREFIX + key))


@router.get("/models/onnx-{key}/filters")
async def get_imported_filters(key: str, repository: RepoDep,
                               layer: Annotated[str, Query(max_length=64)] = "conv1") -> Any:
    """A conv layer's filters (FN, C/group, FH, FW), bias, and the gallery PNG (data URL)."""
    entry = repository.get(PREFIX + key)
    return await run_cpu(svc.filters, entry, layer)


async def _predict_input(request: Request, entry: Any, image: UploadFile | None,
                         normalisation: str | None, settings: Settings) -> tuple[Any, Any, bool]:
    """The input of /predict by content type: (x, preparation, previews)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        if image is None:
            raise ApiError("missing", variant="predict_image", field="image")
        data = await image.read()
        norm = normalisation or str(entry.record.get("normalisation", "0-1"))
        x, prep = await run_cpu(svc.prepare_upload, entry, data, norm, settings)
        return x, prep, True
    if ctype == "application/json":
        try:
            req = OnnxPredictRequest.model_validate_json(await request.body())
        except ValidationError as e:
            raise validation_api_error(e.errors()) from None
        x, prep = svc.json_input(entry, req.input)
        return x, prep, req.previews
    raise ApiError("unsupported_media_type", variant="predict", field="content-type",
                   limit="multipart/form-data, application/json")


@router.post("/models/onnx-{key}/predict", response_model=OnnxPredictResponse)
async def predict_imported(
        key: str, request: Request, repository: RepoDep, settings: SettingsDep,
        image: Annotated[UploadFile | None, File()] = None,
        normalisation: Annotated[str | None, Form(max_length=200)] = None,
        input_values: Annotated[bool, Form(description=(
            "Also answer the prepared input as nested lists (C, H, W), e.g. to send it to "
            "/explain."))] = False,
) -> OnnxPredictResponse:
    """JSON {"input": (C, H, W) values, used as is} or multipart `image` (+ `normalisation`,
    default the model's): label, probabilities and every stage."""
    entry = repository.get(PREFIX + key)
    x, prep, previews = await _predict_input(request, entry, image, normalisation, settings)
    out = await run_cpu(lambda: svc.predict(entry, x, prep, previews=previews,
                                            max_previews=settings.max_preview_maps))
    if input_values:
        out.input_values = x.tolist()
    return out


@router.get("/models/{model_id}/onnx", response_class=Response,
            responses={200: {"content": {ONNX_TYPE: {}}}})
async def export_onnx(model_id: str, models: ModelsDep, repository: RepoDep) -> Response:
    """Any model as an .onnx file (Netron, onnxruntime): shipped/trained ones exported,
    imported ones as uploaded."""
    if model_id.startswith(PREFIX):
        data = repository.raw(model_id)
    else:
        data = await run_cpu(network_onnx_bytes, models.get(model_id))
    return Response(data, media_type=ONNX_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{model_id}.onnx"'})
