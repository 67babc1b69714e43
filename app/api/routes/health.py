"""GET /api/health."""

from fastapi import APIRouter
from pydantic import BaseModel

from app.config import __version__

router = APIRouter(prefix="/api", tags=["meta"])


class Health(BaseModel):
    status: str
    version: str


@router.get("/health", response_model=Health)
def health() -> Health:
    """Liveness and readiness: 200 with the version while the app serves."""
    return Health(status="ok", version=__version__)
