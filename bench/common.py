"""Shared benchmark helpers: one thread everywhere, round-robin medians, peak extra memory."""

from __future__ import annotations

import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

CORETYPE_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
_LIMITS: list[Any] = []  # keeps the threadpoolctl limit alive for the whole process


def reexec_without_coretype() -> None:
    """Re-run this command once without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (both together).

    They are set on some machines for old OpenBLAS builds and slow a current NumPy down; the
    benchmark alone drops them (never the tests). BENCH_KEEP_CORETYPE=1 keeps them.
    """
    if os.environ.get("BENCH_KEEP_CORETYPE") or not any(v in os.environ for v in CORETYPE_VARS):
        return
    env = {k: v for k, v in os.environ.items() if k not in CORETYPE_VARS}
    env["BENCH_KEEP_CORETYPE"] = "unset-by-bench"
    os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)


def pin_threads() -> str:
    """BLAS/OpenMP, torch and OpenCV on one thread each; returns a line naming what runs."""
    from threadpoolctl import threadpool_info, threadpool_limits

    parts = []
    try:
        import torch

        torch.set_num_threads(1)
        parts.append(f"torch {torch.__version__} threads={torch.get_num_threads()}")
    except ImportError:
        parts.append("torch missing")
    try:
        import cv2

        cv2.setNumThreads(1)
        parts.append(f"cv2 {cv2.__version__} threads={cv2.getNumThreads()}")
    except ImportError:
        parts.append("cv2 missing")
    _LIMITS.append(threadpool_limits(limits=1))  # after torch / cv2 loaded their own BLAS
    pools = [f"{p['internal_api']}:{p.get('architecture', '?')}×{p['num_threads']}"
             for p in threadpool_info()]
    note = " (OPENBLAS_CORETYPE/L2_SIZE unset for this run)" if os.environ.get(
        "BENCH_KEEP_CORETYPE") == "unset-by-bench" else ""
    return "threads: " + ", ".join(pools + parts) + note


def round_robin(fns: dict[str, Callable[[], object]], budget_s: float = 1.5,
                min_rounds: int = 5, max_rounds: int = 60) -> dict[str, float]:
    """Median seconds per call of each fn, timed in turn (a, b, c, a, b, c, …) after a warm-up.

    "<name>" is the median CPU time of the calling thread (every library runs on it, pinned to
    one thread), which a busy shared machine does not inflate by descheduling us;
    "<name>:wall" is the median wall-clock time.
    """
    single = {}
    for name, fn in fns.items():  # warm-up, and a first estimate of the cost of a round
        fn()
        t = time.perf_counter()
        fn()
        single[name] = time.perf_counter() - t
    rounds = int(min(max_rounds, max(min_rounds, budget_s / max(sum(single.values()), 1e-9))))
    cpu: dict[str, list[float]] = {name: [] for name in fns}
    wall: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            c, t = time.thread_time(), time.perf_counter()
            fn()
            wall[name].append(time.perf_counter() - t)
            cpu[name].append(time.thread_time() - c)
    return {name: statistics.median(ts) for name, ts in cpu.items()} | {
        f"{name}:wall": statistics.median(ts) for name, ts in wall.items()}


def peak_extra_bytes(fn: Callable[[], object]) -> int:
    """Peak bytes allocated while fn runs (its result included), as tracemalloc sees them."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = fn()
        peak = tracemalloc.get_traced_memory()[1] - base
        del result
    finally:
        tracemalloc.stop()
    return peak


def ms(seconds: float) -> str:
    """A duration in milliseconds, 3 significant digits."""
    v = seconds * 1e3
    return f"{v:.3g} ms" if v >= 0.1 else f"{v * 1e3:.3g} µs"


def verdict(ratio: float, target: float) -> str:
    """'PASS' when ratio <= target, else 'MISS'."""
    return "PASS" if ratio <= target else "MISS"
