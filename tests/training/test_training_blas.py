"""A training run's process uses one BLAS thread (app/services/training/job.py: pin_blas)."""

from __future__ import annotations

from pathlib import Path

import pytest
from threadpoolctl import threadpool_info

from app.services.training import job


def test_pin_blas_leaves_one_thread_per_blas_library() -> None:
    limiter = job.pin_blas()
    try:
        blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
        assert blas and all(p["num_threads"] == 1 for p in blas)
    finally:
        limiter.restore_original_limits()


def test_run_job_pins_blas_before_training(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(job, "pin_blas", lambda: calls.append("pin"))
    monkeypatch.setattr(job, "_train", lambda *a: calls.append("train"))
    job.run_job("r1", {}, {"data_dir": str(tmp_path), "redis_url": ""}, job.Caps(1, 1.0))
    assert calls == ["pin", "train"]
