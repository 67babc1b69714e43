"""A timed-out job stops at its next cancellation point and releases its CPU slot (app/cancel)."""

from __future__ import annotations

import threading

import pytest

from app import cancel
from app.api.capacity import CpuLimiter
from app.errors import ApiError
from app.imaging.decode import decode_image
from tests import aio
from tests.decode_bombs import png_rows, progressive_jpeg


def test_a_cancelled_decode_stops_at_the_next_block() -> None:
    data = progressive_jpeg(256, 50)
    assert cancel.run_cancellable(threading.Event(), decode_image, data).size == (256, 256)
    stopped = threading.Event()
    stopped.set()
    for bomb in (data, png_rows(512, 512)):
        with pytest.raises(cancel.CancelledWork):
            cancel.run_cancellable(stopped, decode_image, bomb)


def test_check_outside_a_job_does_nothing() -> None:
    cancel.check()


def test_a_timed_out_job_releases_its_slot() -> None:
    limiter = CpuLimiter(1, 0, 0.05, 2)  # capacity 1
    gate, released, stopped = threading.Event(), threading.Event(), threading.Event()
    release = limiter.release

    def release_and_tell(_: object = None) -> None:
        release()
        released.set()
    limiter.release = release_and_tell  # type: ignore[method-assign]

    def long_work() -> None:  # stands for a decode: never ends on its own, checks between blocks
        try:
            while not gate.wait(0.005):
                cancel.check()
        finally:
            stopped.set()
    try:
        with pytest.raises(ApiError) as info:
            aio.run(limiter.run(long_work))
        assert (info.value.status, info.value.code) == (504, "timeout")
        assert released.wait(10) and stopped.is_set()
        assert limiter.admitted == 0
        assert aio.run(limiter.run(lambda: 42)) == 42  # the slot is free again
    finally:
        gate.set()
        limiter.shutdown()
