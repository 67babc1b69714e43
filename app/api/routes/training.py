"""/api/training: start a small training run (a worker process), follow it by Server-Sent
Events, pause, resume or stop it, download the trained model (.npz)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response, StreamingResponse

from app.deps import SettingsDep, StoreDep
from app.errors import ERROR_RESPONSES, ErrorResponse
from app.schemas.training import TrainingRequest, TrainingStarted
from app.services.training import service
from app.services.training.pool import TrainingPool

router = APIRouter(prefix="/api/training", tags=["training"], responses={
    404: {"model": ErrorResponse, "description": "Unknown run."},
    429: {"model": ErrorResponse, "description": "Every training slot and queue place is taken "
                                                 "(Retry-After)."},
    **ERROR_RESPONSES})


def _pool(request: Request, store: StoreDep, settings: SettingsDep) -> TrainingPool:
    pool = getattr(request.app.state, "training", None)
    if pool is None:
        pool = request.app.state.training = TrainingPool(store, settings)
    return pool


@router.post("", response_model=TrainingStarted, status_code=202)
def start(req: TrainingRequest, request: Request, store: StoreDep,
          settings: SettingsDep) -> TrainingStarted:
    """Start a run (or queue it, with its position); its events at /api/training/{id}/events."""
    return TrainingStarted(**service.start(_pool(request, store, settings), req, settings))


@router.get("/{run_id}/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
def events(run_id: str, store: StoreDep,
           last_event_id: Annotated[int, Header(ge=0)] = 0) -> StreamingResponse:
    """Server-Sent Events: queued, started, progress (≥ 5/s), then finished | stopped | failed."""
    service.known(store, run_id)
    return StreamingResponse(service.events(store, run_id, last_event_id),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.post("/{run_id}/{command}")
def control(run_id: str, command: Literal["stop", "pause", "resume"], request: Request,
            store: StoreDep, settings: SettingsDep) -> dict[str, str]:
    """Stop (a queued run leaves the queue), pause or resume a run."""
    service.known(store, run_id)
    pool = _pool(request, store, settings)
    if command == "stop":
        pool.stop(run_id)
    else:
        pool.control(run_id, "pause" if command == "pause" else "run")
    return {"id": run_id, "requested": command}


@router.get("/{run_id}/model.npz", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}}})
def download(run_id: str, store: StoreDep) -> Response:
    """The trained model (.npz, loadable with allow_pickle=False) once the run has ended."""
    return Response(service.model_bytes(store, run_id), media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{run_id}.npz"'})
