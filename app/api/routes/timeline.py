"""/api/models/{id}/checkpoints: the training timeline (checkpoints taken during training).
The network at a step is asked for with ?step= on /filters and /predict (routes/models.py)."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.capacity import run_cpu
from app.deps import ModelsDep
from app.errors import ERROR_RESPONSES, ErrorResponse
from app.schemas.timeline import CheckpointsResponse
from app.services.timeline import checkpoints

router = APIRouter(prefix="/api", tags=["models"], responses={
    404: {"model": ErrorResponse, "description": "Unknown model, or no checkpoints."},
    **ERROR_RESPONSES})


@router.get("/models/{model_id}/checkpoints", response_model=CheckpointsResponse)
async def get_checkpoints(model_id: str, models: ModelsDep) -> CheckpointsResponse:
    """The steps with a checkpoint, the held-out loss and accuracy at each, the loss and
    accuracy of every training batch, and what the checkpoints weigh."""
    return await run_cpu(checkpoints, models.entry(model_id))
