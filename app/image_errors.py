"""ImageError: a refused upload (HTTP status, code, en/ja messages, field, limit)."""

from __future__ import annotations


class ImageError(Exception):
    """A refused image: HTTP `status`, machine `code`, messages (en/ja), `field`, `limit`.

    Codes: image_empty (400), image_unsupported_format (415), image_side_too_large (413),
    image_too_many_pixels (413), image_corrupt (400), invalid_max_side (422); from the header
    walk (app/decode_budget.py): image_too_many_scans, image_too_many_frames,
    image_too_many_chunks, image_decode_too_large (413); per request: request_decode_too_large,
    decode_work_exceeded (413).
    """

    def __init__(self, status: int, code: str, message_en: str, message_ja: str, *,
                 field: str | None = "image", limit: int | str | None = None) -> None:
        super().__init__(message_en)
        self.status, self.code = status, code
        self.message_en, self.message_ja = message_en, message_ja
        self.field, self.limit = field, limit
