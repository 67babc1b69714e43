"""`Annotated` dependencies shared by the routes: SettingsDep, ModelsDep."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings, get_settings
from app.models.store import ModelStore

SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_models(request: Request, settings: SettingsDep) -> ModelStore:
    """The ModelStore loaded in lifespan (loaded here once if the app runs without lifespan)."""
    store = getattr(request.app.state, "models", None)
    if store is None:
        store = request.app.state.models = ModelStore.from_settings(settings)
    return store


ModelsDep = Annotated[ModelStore, Depends(get_models)]
