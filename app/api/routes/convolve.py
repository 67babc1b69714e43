"""POST /api/convolve: one convolution layer (+ ReLU, + pooling) on an image batch or an array."""

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from app import service
from app.deps import ModelsDep, SettingsDep
from app.errors import ERROR_RESPONSES
from app.limits import run_cpu
from app.payload import body_doc, read_payload
from app.render import negotiate
from app.schemas import ConvolveRequest, ConvolveResponse, ConvSpec

router = APIRouter(prefix="/api", tags=["convolve"])

BINARY = {"schema": {"type": "string", "format": "binary"}}
MEDIA_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": BINARY, "application/x-npy": BINARY},
          "description": "JSON (default), PNG of the final map(s) or NPY (by Accept). The PNG "
                         "grid shows at most max_preview_maps (64) of the N·FN maps; header "
                         "X-ConvScope-Maps says how many, e.g. \"64 of 1024\".",
          "headers": {"X-ConvScope-Maps": {
              "description": "PNG only: \"<shown> of <N·FN>\" maps in the grid.",
              "schema": {"type": "string", "example": "64 of 1024"}}}},
    406: ERROR_RESPONSES[422] | {"description": "Unsupported Accept."},
}


@router.post("/convolve", response_model=ConvolveResponse,
             responses={**ERROR_RESPONSES, **MEDIA_RESPONSES},
             openapi_extra=body_doc("ConvolveRequest", "ConvSpec"))
async def convolve(request: Request, settings: SettingsDep, models: ModelsDep) -> Response:
    """Convolve (N, C, H, W) with a kernel or bank (FN, C, FH, FW) → (N, FN, OH, OW), every stage.

    OH = (H + 2P − FH) / S + 1. Body: JSON {"input": nested list, "spec": ConvSpec} or
    multipart `image` files + `spec` (JSON). Images become float32 in [0, 1].
    """
    media = negotiate(request.headers.get("accept"))
    payload = await read_payload(request, ConvolveRequest, ConvSpec, settings)
    return await run_cpu(service.convolve_payload, payload, settings, models, media)
