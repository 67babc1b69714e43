"""The per-worker receive budget: how many large bodies may be arriving (and held) at once.

Decided from the request head by `app.api.capacity.BodySizeGuard`, before a byte of the body is
read, separately from the CPU slots (a slow upload holds no CPU slot). Only touched on the event
loop, so it needs no lock.
"""

from __future__ import annotations

from app.errors import ApiError


class ReceiveBudget:
    """Per worker: bodies being received (and held until their request ends). A body declared
    above `small_bytes`, or chunked (counted as `max_body_bytes`), takes one of `uploads` slots
    and its declared bytes from `total_bytes` (one upload is always admitted); 0 = no limit."""

    def __init__(self, uploads: int, total_bytes: int, small_bytes: int, max_body_bytes: int,
                 retry_after_s: int) -> None:
        self.uploads, self.total_bytes, self.small_bytes = uploads, total_bytes, small_bytes
        self.max_body_bytes, self.retry_after_s = max_body_bytes, retry_after_s
        self.count = self.bytes = 0

    def cost(self, declared: int | None) -> int:
        """Bytes a body takes from the budget: 0 when small, max_body_bytes when chunked."""
        if declared is None:
            return self.max_body_bytes
        return declared if declared > self.small_bytes else 0

    def try_take(self, nbytes: int) -> bool:
        if (self.uploads and self.count >= self.uploads) or (
                self.total_bytes and self.count and self.bytes + nbytes > self.total_bytes):
            return False
        self.count, self.bytes = self.count + 1, self.bytes + nbytes
        return True

    def give_back(self, nbytes: int) -> None:
        self.count, self.bytes = self.count - 1, self.bytes - nbytes

    def busy(self) -> ApiError:
        return ApiError("too_many_uploads", limit=self.uploads, bytes=self.total_bytes,
                        retry_after_s=self.retry_after_s,
                        headers={"Retry-After": str(self.retry_after_s)})
