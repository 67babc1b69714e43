"""Cooperative cancellation of CPU work after its request timed out (504).

A thread cannot be killed, so the work checks a flag at safe points: `CpuLimiter.run`
(app/api/capacity.py) runs each job under `run_cancellable(event, …)` and sets the event on timeout;
`check()` then raises `CancelledWork` at the next point: every 64 KiB block Pillow reads while
decoding (`CancellableBytesIO`), between images and between layers (app/services/convolve.py,
app/services/plan.py), and before each block of output rows inside every convolution path of the
engine (app/engine/conv.py and app/engine/fast/). The decode bounds (app/imaging/budget.py) keep
the work between two points short (one Pillow block: at most max_jpeg_scans scans; one block of
rows: a few MiB of im2col), so the CPU slot is released soon after the 504 instead of when the
work would have finished. Outside a job (the CLI, tests) `check()` does nothing.
"""

from __future__ import annotations

import contextvars
import io
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_event: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar(
    "convscope_cancel", default=None)


class CancelledWork(BaseException):
    """The request already timed out; a BaseException so no `except Exception` turns it into a
    4xx on the way out (its response is the 504 already sent)."""


def check() -> None:
    """Raise CancelledWork when the current job's request has timed out."""
    event = _event.get()
    if event is not None and event.is_set():
        raise CancelledWork


def run_cancellable(event: threading.Event, fn: Callable[..., T], *args: Any) -> T:
    """fn(*args) with `check()` bound to event (in the calling context)."""
    token = _event.set(event)
    try:
        return fn(*args)
    finally:
        _event.reset(token)


class CancellableBytesIO(io.BytesIO):
    """BytesIO whose reads call check(): Pillow's decode loop reads one block at a time."""

    def read(self, size: int | None = -1, /) -> bytes:
        check()
        return super().read(size)
