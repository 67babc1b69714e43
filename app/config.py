"""Settings from the environment (prefix CONVSCOPE_); get_settings() is a dependency; the
package version (__version__, from the installed metadata)."""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent

try:
    __version__ = version("convscope")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+local"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONVSCOPE_")

    static_dir: Path = ROOT / "static"
    templates_dir: Path = ROOT / "templates"
    # Learned models: every *.npz here is served beside the shipped app/models/.
    models_dir: Path | None = None

    # REST API limits: each is refused with a 4xx naming the field and the limit.
    max_body_bytes: int = 10 * 1024 * 1024  # request body → 413
    max_images: int = 16  # multipart `image` files per request (N)
    max_kernel_side: int = 31  # FH, FW
    max_filters: int = 64  # FN of a filter bank
    max_channels: int = 64  # C of a nested-list input
    max_input_values: int = 1_048_576  # N·C·H·W of a nested-list input (1024×1024)
    # FN·C·FH·FW of one custom (list) kernel (64·64·16·16); a JSON body's spec is pre-checked on
    # the raw bytes for at most this + 8192 numbers (app/api/json_guard.py) → 422 kernel_too_large
    max_kernel_values: int = 1_048_576
    max_macs: int = 4_000_000_000  # compute budget: multiply-adds per request (~4 s worst)
    max_output_values: int = 16_777_216  # compute budget: values produced, all stages together
    max_pipeline_layers: int = 16
    max_values_b64: int = 4_194_304  # include_values: float32 values over all stages
    max_output_list: int = 65_536  # `output` as nested lists up to this many values
    max_preview_maps: int = 64  # maps drawn in one stage preview grid
    cpu_workers: int = 0  # threads for CPU work; 0 → os.cpu_count()
    cpu_queue: int = 4  # requests admitted beyond the running ones; more → 503
    request_timeout_s: float = 30.0  # per-request CPU time limit → 504
    retry_after_s: int = 2  # Retry-After seconds on 503

    # Image decoding limits, app/imaging/decode.py: checked from the header, before decoding.
    max_image_pixels: int = 16_000_000  # width·height → 413 image_too_many_pixels
    max_image_side: int = 16_384  # width or height → 413 image_side_too_large


@lru_cache
def get_settings() -> Settings:
    return Settings()
