"""Open event streams per client address, in this worker: at most `limit` each, more → 429
sse_limit (a classroom behind one NAT shares an address, so the default is generous)."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

from fastapi import FastAPI

from app.errors import ApiError


class SseSlots:
    """Counts the open streams of each address; one instance per app (app.state.sse_slots)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open: Counter[str] = Counter()

    @classmethod
    def of(cls, app: FastAPI, limit: int) -> SseSlots:
        slots: SseSlots | None = getattr(app.state, "sse_slots", None)
        if slots is None or slots.limit != limit:
            slots = app.state.sse_slots = cls(limit)
        return slots

    def guard(self, address: str, body: AsyncIterator[str]) -> AsyncIterator[str]:
        """`body`, counted against `address` while it runs; 429 now if the address is full."""
        if self.open[address] >= self.limit:
            raise ApiError("sse_limit", limit=self.limit)
        return self._counted(address, body)

    async def _counted(self, address: str, body: AsyncIterator[str]) -> AsyncIterator[str]:
        self.open[address] += 1  # counted once running: a stream never started holds nothing
        try:
            async for chunk in body:
                yield chunk
        finally:
            self.open[address] -= 1
            if self.open[address] <= 0:
                del self.open[address]
            aclose = getattr(body, "aclose", None)
            if aclose is not None:
                await aclose()
