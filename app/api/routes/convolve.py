"""POST /api/convolve: one convolution layer (+ ReLU, + pooling) on an image batch or an array."""

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.responses import Response

from app.api.body import json_body_doc, read_convolve
from app.api.capacity import run_cpu
from app.api.media import JSON, MEDIA_RESPONSES, MediaDep, respond
from app.deps import ModelsDep, SettingsDep
from app.errors import ERROR_RESPONSES, _resp
from app.schemas import ConvolveRequest, ConvolveResponse
from app.services.convolve import Payload, convolve_payload

router = APIRouter(prefix="/api", tags=["convolve"])


@router.post("/convolve", response_model=ConvolveResponse,
             responses={**ERROR_RESPONSES, **MEDIA_RESPONSES, 410: _resp(
                 "image_ref is no longer kept (evicted, expired or unknown): send the file.")},
             openapi_extra=json_body_doc(ConvolveRequest))
async def convolve(media: MediaDep, payload: Annotated[Payload, Depends(read_convolve)],
                  settings: SettingsDep, models: ModelsDep) -> Response:
    """Convolve (N, C, H, W) with a kernel or bank (FN, C, FH, FW) → (N, FN, OH, OW), every stage.

    OH = (H + 2P − FH) / S + 1. Body: JSON {"input": nested list, "spec": ConvSpec} or
    multipart `image` files + `spec` (JSON). Images become float32 in [0, 1].
    """
    outcome = await run_cpu(convolve_payload, payload, settings, models, media == JSON)
    return respond(outcome, media, settings.max_preview_maps)
