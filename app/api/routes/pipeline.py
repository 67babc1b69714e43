"""POST /api/pipeline: a small CNN of the user's design (conv / relu / pool layers, ≤ 16)."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api.body import body_doc, read_payload
from app.api.capacity import run_cpu
from app.api.media import JSON, MEDIA_RESPONSES, negotiate, respond
from app.deps import ModelsDep, SettingsDep
from app.errors import ERROR_RESPONSES
from app.schemas import PipelineRequest, PipelineResponse, PipelineSpec
from app.services.convolve import pipeline_payload

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
    outcome = await run_cpu(pipeline_payload, payload, settings, models, media == JSON)
    return respond(outcome, media, settings.max_preview_maps)
