"""The ASGI app: `app.main:app`, built by create_app()."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.config import get_settings
from app.routes import convolve, geometry, health, kernels, models, pages, pipeline, samples
from app.version import __version__

ROUTERS = (health, kernels, geometry, convolve, pipeline, models, samples, pages)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(title="ConvScope", version=__version__, lifespan=lifespan,
                  description="Convolution results over HTTP, and the ConvScope pages.")
    for module in ROUTERS:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    return app


app = create_app()
