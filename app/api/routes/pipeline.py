"""POST /api/pipeline: a small CNN of the user's design (conv / relu / pool layers, ≤ 16)."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app import service
from app.deps import ModelsDep, SettingsDep
from app.errors import ERROR_RESPONSES
from app.limits import run_cpu
from app.payload import body_doc, read_payload
from app.render import negotiate
from app.routes.convolve import MEDIA_RESPONSES
from app.schemas import PipelineRequest, PipelineResponse, PipelineSpec

router = APIRouter(prefix="/api", tags=["pipeline"])


@router.post("/pipeline", response_model=PipelineResponse,
             responses={**ERROR_RESPONSES, **MEDIA_RESPONSES},
             openapi_extra=body_doc("PipelineRequest", "PipelineSpec"))
async def pipeline(request: Request, settings: SettingsDep, models: ModelsDep) -> Response:
    """Run spec.layers (conv / relu / pool, in order) on the input; returns every stage.

    Same inputs as /api/convolve; the spec holds `layers` instead of one conv.
    """
    media = negotiate(request.headers.get("accept"))
    payload = await read_payload(request, PipelineRequest, PipelineSpec, settings)
    return await run_cpu(service.pipeline_payload, payload, settings, models, media)
