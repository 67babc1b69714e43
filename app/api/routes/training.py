"""/api/training: start a small training run (a worker process), follow it by Server-Sent
Events, pause, resume or stop it (the starter's token), download the trained model (.npz or
.onnx), keep it as an imported model (onnx-…)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response, StreamingResponse

from app.api.capacity import run_cpu
from app.deps import SettingsDep, StoreDep
from app.errors import ERROR_RESPONSES, ErrorResponse
from app.models.onnx_repo import OnnxRepository
from app.schemas.training import (
    TrainingDatasets,
    TrainingKept,
    TrainingRequest,
    TrainingStarted,
)
from app.services.training import keep as keeping
from app.services.training import service
from app.services.training.pool import TrainingPool

router = APIRouter(prefix="/api/training", tags=["training"], responses={
    403: {"model": ErrorResponse, "description": "Not the run's starter (X-Training-Token)."},
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
    started = service.start(_pool(request, store, settings), req, settings)
    return TrainingStarted(**started, token=keeping.new_token(store, started["id"]))


@router.get("/datasets", response_model=TrainingDatasets)
def list_datasets(settings: SettingsDep) -> TrainingDatasets:
    """The datasets a run may use (the synthetic colour set, then every IDX pair found), each
    with its input shape (C, H, W)."""
    return TrainingDatasets(datasets=service.datasets(settings))  # type: ignore[arg-type]


@router.get("/{run_id}/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
def events(run_id: str, store: StoreDep,
           last_event_id: Annotated[int, Header(ge=0)] = 0) -> StreamingResponse:
    """Server-Sent Events: queued, started, progress (≥ 5/s), then finished | stopped | failed."""
    service.known(store, run_id)
    return StreamingResponse(service.events(store, run_id, last_event_id),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


TokenHeader = Annotated[str | None, Header(alias=keeping.TOKEN_HEADER,
                                            description="The token given by POST /api/training.")]


@router.post("/{run_id}/keep", response_model=TrainingKept, status_code=201)
async def keep(run_id: str, store: StoreDep, settings: SettingsDep,
               token: TokenHeader = None) -> TrainingKept:
    """Keep the ended run's model: exported to ONNX and added to the imported models (same TTL
    as uploads); answers its id (onnx-…), openable in the network view."""
    service.known(store, run_id)
    keeping.check_token(store, run_id, token)
    npz = service.model_bytes(store, run_id)
    repo = OnnxRepository.from_settings(store, settings)
    entry = await run_cpu(lambda: keeping.keep(repo, npz))
    return TrainingKept(id=entry.id, name=entry.model.name,
                        name_ja=str(entry.record.get("name_ja") or entry.model.name),
                        labels=entry.labels,
                        normalisation=str(entry.record.get("normalisation", "0-1")),
                        badge=str(entry.record.get("badge", "")),
                        url=f"/?view=network&model={entry.id}")


@router.get("/{run_id}/model.onnx", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}}})
async def download_onnx(run_id: str, store: StoreDep) -> Response:
    """The trained model as ONNX (opset 17, input "x" (N, C, H, W)) once the run has ended."""
    npz = service.model_bytes(store, run_id)
    data = await run_cpu(lambda: keeping.onnx_bytes(npz))
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{run_id}.onnx"'})


@router.post("/{run_id}/{command}")
def control(run_id: str, command: Literal["stop", "pause", "resume"], request: Request,
            store: StoreDep, settings: SettingsDep, token: TokenHeader = None) -> dict[str, str]:
    """Stop (a queued run leaves the queue), pause or resume a run: the starter only."""
    service.known(store, run_id)
    keeping.check_token(store, run_id, token)
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
