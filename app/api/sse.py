"""Open event streams per client address, counted in the shared store so that the limit holds
across every worker (and replica): at most `limit` each, more → 429 sse_limit (a classroom
behind one NAT shares an address, so the default is generous).

Each open stream is one key `SLOTS:address` / random id with a TTL of `ttl` seconds, renewed
while the stream sends (it sends at least a heartbeat every `heartbeat_s`); a closed stream
deletes its key, and a killed worker's keys expire by themselves.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator

from app.errors import ApiError
from app.store import Store

SLOTS = "sse-slots"
TTL_HEARTBEATS = 3  # a slot outlives its stream's silence by this many heartbeats


def _ns(address: str) -> str:
    return f"{SLOTS}:{address}"


class SseSlots:
    """Counts the open streams of each address in `store` (stateless: make one per request)."""

    def __init__(self, store: Store, limit: int, heartbeat_s: float = 15.0) -> None:
        self.store, self.limit = store, limit
        self.ttl = TTL_HEARTBEATS * heartbeat_s + 5.0

    def open(self, address: str) -> int:
        """Streams open now from `address`, in every worker."""
        return len(self.store.keys(_ns(address)))

    def guard(self, address: str, body: AsyncIterator[str]) -> AsyncIterator[str]:
        """`body`, counted against `address` while it runs; 429 now if the address is full.
        The slot is taken first and given back if over the limit, so two workers admitting at
        once can both refuse, never both admit past the limit."""
        slot = secrets.token_hex(8)
        self.store.put(_ns(address), slot, b"1", ttl=self.ttl)
        if self.open(address) > self.limit:
            self.store.delete(_ns(address), slot)
            raise ApiError("sse_limit", limit=self.limit)
        return self._counted(address, slot, body)

    async def _counted(self, address: str, slot: str, body: AsyncIterator[str]
                       ) -> AsyncIterator[str]:
        renewed = time.monotonic()
        try:
            async for chunk in body:
                yield chunk
                if time.monotonic() - renewed > self.ttl / TTL_HEARTBEATS:
                    renewed = time.monotonic()
                    await asyncio.to_thread(  # off the loop: a busy SQLite writer waits
                        self.store.put, _ns(address), slot, b"1", self.ttl)
        finally:  # at once (a closing generator may not be awaited to the end)
            self.store.delete(_ns(address), slot)
            aclose = getattr(body, "aclose", None)
            if aclose is not None:
                await aclose()
