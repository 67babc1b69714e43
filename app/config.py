"""Settings from the environment (prefix CONVSCOPE_); get_settings() is a dependency tests override."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONVSCOPE_")

    static_dir: Path = ROOT / "static"
    templates_dir: Path = ROOT / "templates"


@lru_cache
def get_settings() -> Settings:
    return Settings()
