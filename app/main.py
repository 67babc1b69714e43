"""The ASGI app: `app.main:app`, built by create_app()."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.config import get_settings
from app.limits import install_api
from app.modelstore import ModelStore
from app.routes import convolve, docs, geometry, health, kernels, models, pages, pipeline, samples
from app.security import SecurityHeaders
from app.server.head import HeadAsGet
from app.version import __version__

ROUTERS = (health, kernels, geometry, convolve, pipeline, models, samples, pages, docs)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.models = ModelStore.from_settings(get_settings())  # learned models, loaded once
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(title="ConvScope", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # offline /docs: routes/docs.py
                  redirect_slashes=False,  # no Location built from the Host header: 404 instead
                  description="Convolution results over HTTP, and the ConvScope pages.")
    install_api(app, settings)  # error shape, body guard, CPU limiter, BLAS threads
    for module in ROUTERS:
        app.include_router(module.router, max_body_size=settings.max_body_bytes)
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    app.add_middleware(HeadAsGet)  # HEAD answered on every GET route, without a body
    app.add_middleware(SecurityHeaders)  # outermost: CSP, nosniff, Referrer-Policy on all
    return app


app = create_app()
