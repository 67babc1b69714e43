"""/api/pipeline routes."""

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["pipeline"])
