"""/api/convolve routes."""

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["convolve"])
