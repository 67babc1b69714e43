"""asyncio.run for tests that may run while another event loop is running in this thread (the
browser tests' Playwright session keeps one): the coroutine runs on a loop of its own thread."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run(coro), on a fresh thread so that no running loop is in the way."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
