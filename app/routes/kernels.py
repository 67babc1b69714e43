"""/api/kernels routes."""

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["kernels"])
