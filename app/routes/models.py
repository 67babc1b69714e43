"""/api/models routes."""

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["models"])
