"""GET /api/geometry: the slide-10 formula with the user's numbers."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.errors import ERROR_RESPONSES
from app.schemas import GeometryOut, GeometryQuery
from app.services.plan import geometry_or_422
from app.services.stages import geometry_out

router = APIRouter(prefix="/api", tags=["geometry"])


@router.get("/geometry", response_model=GeometryOut, responses={422: ERROR_RESPONSES[422]})
def geometry(q: Annotated[GeometryQuery, Query()]) -> GeometryOut:
    """OH = (H + 2P − FH_eff) / S + 1, FH_eff = dilation·(FH − 1) + 1: sizes, exactness, dropped
    rows/columns and the formula text. A window larger than the padded input → 422."""
    g = geometry_or_422(q.h, q.w, q.fh, q.fw, stride=q.stride, pad=q.pad, dilation=q.dilation,
                        field="fh")
    return geometry_out(g)
