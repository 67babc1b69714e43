"""The one error shape for every 4xx/5xx: {"error": {"code", "field", "limit", "message"}}.

`ApiError` is raised anywhere (routes, services, worker threads); the handlers of
app.api.errors turn it, FastAPI's validation errors and Starlette's HTTP errors (404, 405, 413,
415, …) into that shape. Messages are English, or Japanese when Accept-Language
prefers `ja`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

Limit = int | float | str | None


class ApiError(Exception):
    """A client-visible error: HTTP status, machine code, en/ja messages, offending field, limit."""

    def __init__(self, status: int, code: str, message_en: str, message_ja: str | None = None, *,
                 field: str | None = None, limit: Limit = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message_en)
        self.status, self.code, self.field, self.limit = status, code, field, limit
        self.message_en, self.message_ja = message_en, message_ja or message_en
        self.headers = headers


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable code, e.g. budget_exceeded, kernel_too_large.")
    field: str | None = Field(description="The offending field as a dotted path, e.g. spec.pad.")
    limit: int | float | str | None = Field(description="The limit that was exceeded, if any.")
    message: str = Field(description="Human message: English, or Japanese for "
                         "Accept-Language: ja.")


class ErrorResponse(BaseModel):
    """Every error response of the API has this shape."""

    error: ErrorDetail


def _resp(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _resp("Malformed body, image or spec JSON."),
    413: _resp("Request body larger than the body limit (default 10 MiB)."),
    415: _resp("Unsupported content type or image format."),
    422: _resp("Invalid value or a limit exceeded (kernel side, FN, images, budget, geometry)."),
    503: _resp("Server at capacity; retry after the Retry-After seconds.") | {"headers": {
        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}},
    504: _resp("The computation exceeded the per-request time limit."),
}
"""`responses=` for every API route: documents the error shape in OpenAPI."""


def prefers_japanese(accept_language: str | None) -> bool:
    """True when the highest-weighted language in Accept-Language is Japanese (ja, ja-JP, …)."""
    best, best_q = "", -1.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and q > best_q:
            best, best_q = tag.lower(), q
    return best == "ja" or best.startswith("ja-")


def error_body(code: str, message: str, field: str | None = None, limit: Limit = None) -> dict:
    """The JSON body of an error response."""
    return {"error": {"code": code, "field": field, "limit": limit, "message": message}}
