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
    # Shared state (app/store/): SQLite in data_dir, or Redis when redis_url is set (replicas).
    data_dir: Path = Path("data")
    redis_url: str = ""
    # Extra IDX dataset folders for training runs (os.pathsep-separated), each offered by its
    # folder name, e.g. Debian's dataset-fashion-mnist: /usr/share/datasets/fashion-mnist.
    dataset_dirs: str = ""
    # Uploaded images kept by content hash (app/services/image_cache.py): later requests send
    # `image_ref` instead of the file; the oldest beyond the cap, or older than the TTL, go.
    image_cache_ttl_s: float = 3600.0
    image_cache_cap: int = 256

    # Imported ONNX models (app/models/onnx_import/): each limit is checked before the step it
    # protects; uploads live in the shared store (ns "models") for onnx_ttl_s seconds.
    onnx_max_bytes: int = 20_000_000  # the .onnx file → 413 onnx_file_too_large
    onnx_max_params: int = 10_000_000  # initializer values (declared dims) → 422
    onnx_max_nodes: int = 512  # graph nodes → 422
    onnx_max_layers: int = 128  # engine layers after folding → 422
    onnx_max_input_values: int = 786_432  # C·H·W of the input (3·512·512) → 422
    # multiply-adds of one forward pass → 422; also bounds the import time: onnx.reference,
    # run once at import, takes ~1 s per 10M multiply-adds on this machine (vgg64: 40M)
    onnx_max_macs: int = 100_000_000
    onnx_tolerance: float = 1e-4  # engine vs onnx.reference, relative to 1 + max |ref|
    onnx_ttl_s: float = 7 * 24 * 3600.0  # uploaded models expire (CLI imports never do)
    onnx_max_stored: int = 2000  # store keys kept in ns "models" (oldest dropped first)
    # Training runs (POST /api/training, app/services/training/): worker processes at once
    # (0 = one per 2 CPUs), runs waiting beyond them (more → 429 + Retry-After), and each run's
    # caps: optimiser steps, wall-clock seconds (then it stops and keeps what it learned).
    training_workers: int = 0
    training_queue: int = 4
    training_max_steps: int = 3000
    training_max_seconds: float = 300.0
    training_max_examples: int = 20000
    training_max_layers: int = 16  # a composed stack's layers (the final affine not counted)
    training_max_params: int = 2_000_000  # a composed stack's parameters
    training_max_macs: int = 400_000_000  # a composed stack's multiply-adds per step (× batch)

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
    # compute budget: values of every stage together, the input included; 2 × max_image_pixels so
    # that a gray image at the pixel limit through one same-size conv (the default spec) fits
    max_output_values: int = 32_000_000
    max_pipeline_layers: int = 16
    max_values_b64: int = 4_194_304  # include_values: float32 values over all stages
    max_output_list: int = 65_536  # `output` as nested lists up to this many values
    max_preview_maps: int = 64  # maps drawn in one stage preview grid
    explain_max_steps: int = 200  # /explain maximize: gradient steps → 422 explain_limit
    explain_max_positions: int = 1024  # /explain occlusion: patch positions (one batch) → 422
    cpu_workers: int = 0  # threads for CPU work; 0 → os.cpu_count()
    cpu_queue: int = 4  # requests admitted beyond the running ones; more → 503
    request_timeout_s: float = 30.0  # per-request CPU time limit → 504
    retry_after_s: int = 2  # Retry-After seconds on 503
    # Receiving bodies, per worker, decided from the head before a byte of the body is read: a
    # body declared ≤ small_body_bytes is admitted as it is (bounded by max_connections); larger
    # or chunked ones (counted as max_body_bytes) take a receiving slot until their request ends,
    # at most max_receiving of them declaring max_receiving_bytes together (one is always
    # admitted) → 503 too_many_uploads + Retry-After; 0: no limit. The CPU slot is taken only
    # when the computation starts, so slow uploads never hold one.
    small_body_bytes: int = 65_536
    max_receiving: int = 16
    max_receiving_bytes: int = 67_108_864  # 64 MiB

    # Production server (app/api/server/, gunicorn + ConvScopeWorker); per worker process.
    max_header_bytes: int = 65_536  # whole request head while incomplete → 431
    header_timeout_s: float = 10.0  # head not complete this long after its first byte → 408
    body_timeout_s: float = 30.0  # body not complete this long after its head → 408
    body_min_rate: int = 1024  # body bytes/s over each 5 s window, else 408 (slow drip); 0: off
    max_connections: int = 512  # open connections; at the cap idle keep-alives are closed, → 503
    # glibc malloc, so that RSS returns near its baseline after a burst (0: glibc's default)
    malloc_arenas: int = 2  # mallopt(M_ARENA_MAX), as MALLOC_ARENA_MAX=2
    malloc_mmap_threshold: int = 1_048_576  # blocks ≥ this are mmapped, returned when freed
    malloc_trim_s: float = 5.0  # malloc_trim(0) at most this often, when no request is in flight

    # Image decoding limits, app/imaging/decode.py: checked from the header, before decoding.
    max_image_pixels: int = 16_000_000  # width·height → 413 image_too_many_pixels
    max_image_side: int = 16_384  # width or height → 413 image_side_too_large
    # Decode work and memory, app/imaging/budget.py: from the file's structure, before decoding.
    max_jpeg_scans: int = 100  # SOS scans per JPEG (as djpeg -maxscans) → 413
    max_image_frames: int = 1000  # GIF / APNG / WebP frames (only the first is used) → 413
    max_image_chunks: int = 10_000  # JPEG markers, PNG chunks, GIF blocks, WebP chunks → 413
    max_decode_bytes: int = 134_217_728  # decoder buffers per image (128 MiB) → 413
    max_request_decode_bytes: int = 536_870_912  # the same summed over a request (512 MiB) → 413
    max_decode_work: int = 2_000_000_000  # pixels × JPEG scans summed over a request → 413

    # Live classroom (app/services/classroom/, issue 13): limits, each refused with a catalogue
    # error. State lives in the shared store (data_dir / redis_url), never in one worker.
    class_ttl_s: float = 43_200.0  # a class expires 12 h after it was created
    max_classes: int = 100  # live classes per server → 429 class_limit
    max_students: int = 200  # students per class → 409 class_full
    nickname_max_chars: int = 24  # optional nickname: letters, digits, space, - _ . → 422
    answer_rate_per_min: int = 10  # answer attempts per student per minute → 429
    max_scene_bytes: int = 16_384  # a scene JSON object (UTF-8 bytes) → 413 scene_too_large
    max_sse_per_address: int = 256  # open event streams per client address (all workers) → 429
    sse_heartbeat_s: float = 15.0  # a comment line on an idle event stream this often


@lru_cache
def get_settings() -> Settings:
    return Settings()
