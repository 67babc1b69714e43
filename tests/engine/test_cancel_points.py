"""Every convolution path stops at its next block once its request timed out (app/cancel.py):
the CPU slot is released within one block of rows, not when the whole convolution would end."""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import pytest

from app.cancel import CancelledWork, run_cancellable
from app.engine.conv import conv2d as core_conv2d
from app.engine.fast.filters import filter_planes
from app.engine.fast.gemm import conv2d_gemm
from app.engine.fast.slabs import slab_conv
from app.engine.geometry import conv_geometry

rng = np.random.default_rng(0)
X = rng.standard_normal((2, 3, 40, 40), dtype=np.float32)
BANK = rng.standard_normal((4, 3, 3, 3), dtype=np.float32)
G = conv_geometry(40, 40, 3, 3, stride=1, pad=1)
X1 = X[:1]

PATHS: dict[str, Callable[[], np.ndarray]] = {
    "core": lambda: core_conv2d(X, BANK, pad=1),
    "gemm": lambda: conv2d_gemm(X, BANK, None, G),
    "gemm, one image": lambda: conv2d_gemm(X1, BANK, None, G),
    "slabs": lambda: slab_conv(X, BANK, None, G),
    "shift-and-add": lambda: filter_planes(X, BANK[0], G),
}


@pytest.mark.parametrize("name", PATHS)
def test_a_cancelled_job_stops_in_every_path(name: str) -> None:
    run = PATHS[name]
    expected = core_conv2d(X, BANK, pad=1)
    out = run_cancellable(threading.Event(), run)  # not cancelled: the path computes
    ref = expected[:, :1] if name == "shift-and-add" else expected[:out.shape[0]]
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4)
    cancelled = threading.Event()
    cancelled.set()
    with pytest.raises(CancelledWork):
        run_cancellable(cancelled, run)


def test_outside_a_job_nothing_is_checked() -> None:
    """The CLI and the tests call the engine with no job: checkpoints are no-ops."""
    assert core_conv2d(X, BANK, pad=1).shape == (2, 4, 40, 40)
