"""/api/geometry routes."""

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["geometry"])
