"""The ASGI app: `app.main:app`, built by create_app(settings=None).

Layers, each importing only the ones below it (tests/test_architecture.py):
app.main → app.api (routes, body reading, media, capacity, errors, security; the only FastAPI /
Starlette code with app.deps) → app.services (the work: arrays in, models or arrays out) →
app.imaging (Pillow) / app.models (learned models) / app.schemas → app.engine (NumPy) →
app.errors, app.config.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api.body import form_limits
from app.api.capacity import install_api
from app.api.head import HeadAsGet
from app.api.routes import (
    classes,
    convolve,
    docs,
    exercises,
    explain,
    geometry,
    health,
    kernels,
    models,
    onnx_models,
    pages,
    pipeline,
    samples,
    timeline,
    training,
    worksheet,
)
from app.api.security import SecurityHeaders
from app.api.wire import CachedStaticFiles, install_wire
from app.config import Settings, __version__, get_settings
from app.models.store import ModelStore
from app.store import open_store

UPLOAD_SLACK = 1 << 20  # multipart framing and the labels file beside an .onnx file
ROUTERS = (health, kernels, geometry, convolve, pipeline, onnx_models, models, explain, samples,
           pages, docs, exercises, worksheet, timeline, training, classes)  # onnx_models first


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; `settings` (default: from the environment) is what every route and limit sees."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.models = ModelStore.from_settings(settings)  # learned models, loaded once
        app.state.store = open_store(settings)  # shared state: SQLite, or Redis for replicas
        try:
            yield
        finally:
            if getattr(app.state, "training", None) is not None:
                app.state.training.close()  # the training processes still running
            app.state.store.close()

    app = FastAPI(title="ConvScope", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # offline /docs: routes/docs.py
                  redirect_slashes=False,  # no Location built from the Host header: 404 instead
                  description="Convolution results over HTTP, and the ConvScope pages.")
    if settings is not get_settings():
        app.dependency_overrides[get_settings] = lambda: settings
    install_wire(app)  # gzip where it pays, weak ETag on gzipped files (innermost middleware)
    install_api(app, settings)  # error shape, body guard, CPU limiter, BLAS threads
    for module in ROUTERS:
        limit = settings.max_body_bytes
        if module is onnx_models:  # an .onnx upload may be larger than other bodies
            limit = max(limit, settings.onnx_max_bytes + UPLOAD_SLACK)
        app.include_router(module.router, max_body_size=limit,
                           form_limits={**form_limits(settings), "max_part_size": limit})  # type: ignore[arg-type]
    app.mount("/static", CachedStaticFiles(directory=settings.static_dir), name="static")
    app.add_middleware(HeadAsGet)  # HEAD answered on every GET route, without a body
    app.add_middleware(SecurityHeaders)  # outermost: CSP, nosniff, Referrer-Policy on all
    return app


app = create_app()
