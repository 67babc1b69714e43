"""`Annotated` dependencies shared by the routes: SettingsDep, ModelsDep, StoreDep."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings, get_settings
from app.models.store import ModelStore
from app.store import Store, open_store

SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_models(request: Request, settings: SettingsDep) -> ModelStore:
    """The ModelStore loaded in lifespan (loaded here once if the app runs without lifespan)."""
    store = getattr(request.app.state, "models", None)
    if store is None:
        store = request.app.state.models = ModelStore.from_settings(settings)
    return store


ModelsDep = Annotated[ModelStore, Depends(get_models)]


def get_store(request: Request, settings: SettingsDep) -> Store:
    """The shared store opened in lifespan (opened here once if the app runs without lifespan)."""
    store = getattr(request.app.state, "store", None)
    if store is None:
        store = request.app.state.store = open_store(settings)
    return store


StoreDep = Annotated[Store, Depends(get_store)]
