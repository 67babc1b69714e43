"""POST /api/pipeline: a small CNN of the user's design (conv / relu / pool layers, ≤ 16)."""

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.responses import Response

from app.api.body import json_body_doc, read_pipeline
from app.api.capacity import run_cpu
from app.api.media import JSON, MEDIA_RESPONSES, MediaDep, respond
from app.deps import ModelsDep, SettingsDep
from app.errors import ERROR_RESPONSES
from app.schemas import PipelineRequest, PipelineResponse
from app.services.convolve import Payload, pipeline_payload

router = APIRouter(prefix="/api", tags=["pipeline"])


@router.post("/pipeline", response_model=PipelineResponse,
             responses={**ERROR_RESPONSES, **MEDIA_RESPONSES},
             openapi_extra=json_body_doc(PipelineRequest))
async def pipeline(media: MediaDep, payload: Annotated[Payload, Depends(read_pipeline)],
                  settings: SettingsDep, models: ModelsDep) -> Response:
    """Run spec.layers (conv / relu / pool, in order) on the input; returns every stage.

    Same inputs as /api/convolve; the spec holds `layers` instead of one conv.
    """
    outcome = await run_cpu(pipeline_payload, payload, settings, models, media == JSON)
    return respond(outcome, media, settings.max_preview_maps)
