"""POST /api/models/{id}/explain (why this answer) and POST /api/backward (7.4 step by step)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from app.api.capacity import run_cpu
from app.deps import ModelsDep, SettingsDep, StoreDep
from app.errors import ERROR_RESPONSES, ErrorResponse
from app.models.onnx_repo import PREFIX, OnnxRepository
from app.schemas.explain import BackwardRequest, BackwardResponse, ExplainRequest, ExplainResponse
from app.services.backward import backward_view
from app.services.explain import explain

router = APIRouter(prefix="/api", tags=["explain"], responses=ERROR_RESPONSES)


def _network(model_id: str, models: ModelsDep, store: StoreDep, settings: SettingsDep) -> Any:
    """The model's Network, or an imported ONNX model's engine chain (404 unknown_model), before
    the body is read."""
    if model_id.startswith(PREFIX):
        entry = OnnxRepository.from_settings(store, settings).get(model_id)
        return replace(entry.model, id=entry.id)
    return models.get(model_id)


@router.post("/models/{model_id}/explain", response_model=ExplainResponse,
             response_model_exclude_none=True,
             responses={404: {"model": ErrorResponse, "description": "Unknown model id."}})
async def explain_route(net: Annotated[Any, Depends(_network)], body: ExplainRequest,
                        settings: SettingsDep) -> ExplainResponse:
    """Why this answer: `saliency` |∂y_c/∂x|, `gradcam` ReLU(Σ_k α_k A^k) with α_k, `occlusion`
    (score drop per gray patch, one batch) or `maximize` (a filter's preferred input and the
    top-9 sample-digit patches); every intermediate number in `steps`. Limits: steps ≤
    explain_max_steps, occlusion positions ≤ explain_max_positions (settings)."""
    return await run_cpu(explain, net, body, settings)


@router.post("/backward", response_model=BackwardResponse)
async def backward_route(body: BackwardRequest) -> BackwardResponse:
    """The book's Convolution.backward on small numbers: col, dout, dW = colᵀ·dout, db = Σ dout,
    dcol = dout·col_Wᵀ, dx = col2im(dcol), the coverage map, and a numerical-gradient check."""
    return await run_cpu(backward_view, body)
