"""/api/samples routes."""

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["samples"])
