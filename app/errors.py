"""The one error shape for every 4xx/5xx: {"error": {"code", "field", "limit", "message"}}, and
the error catalogue.

`ApiError("kernel_too_large", field="spec.kernel", limit=31, fh=33, fw=33)` takes its status and
its English / Japanese message templates from app/errors_catalogue.json (each code once; a few
codes have named `variant`s, other wordings of the same code). `ApiError` is raised anywhere
(routes, services, imaging, worker threads); the handlers of app.api.errors turn it, FastAPI's
validation errors and Starlette's HTTP errors (404, 405, 413, 415, …) into that shape, in
Japanese when Accept-Language prefers `ja`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, Field

CATALOGUE_PATH = Path(__file__).with_name("errors_catalogue.json")
LANGS = ("en", "ja")

Limit = int | float | str | None


@cache
def catalogue() -> dict[str, Any]:
    """The parsed app/errors_catalogue.json: {"errors": {code: entry}, "notes", ...}."""
    data: dict[str, Any] = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    return data


class Text(NamedTuple):
    """A parameter whose value differs by language (e.g. a library's English detail)."""

    en: str
    ja: str


def _render(template: str, lang: str, params: dict[str, Any]) -> str:
    values = {k: (getattr(v, lang) if isinstance(v, Text) else v) for k, v in params.items()}
    return template.format(**values)


def _entry(code: str, variant: str | None) -> dict[str, Any]:
    """The catalogue entry of code (and variant); KeyError names an unknown one."""
    entry: dict[str, Any] = catalogue()["errors"][code]
    if variant is not None:
        return {"status": entry["status"], **entry["variants"][variant]}
    return entry


def note_text(code: str, **params: Any) -> tuple[str, str]:
    """(English, Japanese) text of a decoder note (catalogue "notes") with its parameters."""
    entry = catalogue()["notes"][code]
    return _render(entry["en"], "en", params), _render(entry["ja"], "ja", params)


def validation_detail_ja(error_type: str, detail: str) -> str:
    """What a value should be, in Japanese, by pydantic error type (the English is pydantic's)."""
    details: dict[str, str] = catalogue()["validation_details"]
    return details.get(error_type) or details["_other"].format(detail=detail)


class ApiError(Exception):
    """A client-visible error: code (catalogue), HTTP status, field, limit, en/ja messages.

    params fill the code's message templates (besides `field` and `limit`); a `Text` param
    gives each language its own value. status: only for codes without one (http_error).
    """

    def __init__(self, code: str, *, field: str | None = None, limit: Limit = None,
                 variant: str | None = None, headers: dict[str, str] | None = None,
                 status: int | None = None, **params: Any) -> None:
        entry = _entry(code, variant)
        self.code, self.variant, self.field, self.limit = code, variant, field, limit
        self.status: int = status or entry["status"]
        self.headers = headers
        self.params = {"field": field, "limit": limit, **params}
        self._templates = {lang: entry[lang] for lang in LANGS}
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        """The message in `lang` ("en" or "ja")."""
        return _render(self._templates[lang], lang, self.params)

    @property
    def message_en(self) -> str:
        return self.message("en")

    @property
    def message_ja(self) -> str:
        return self.message("ja")


class ImageError(ApiError):
    """A refused upload (field default "image"). Codes: image_empty (400),
    image_unsupported_format (415), image_side_too_large (413), image_too_many_pixels (413),
    image_corrupt (400), invalid_max_side (422); from the structure walk (app/imaging/budget.py):
    image_too_many_scans, image_too_many_frames, image_too_many_chunks, image_decode_too_large
    (413); per request: request_decode_too_large, decode_work_exceeded (413)."""

    def __init__(self, code: str, *, field: str | None = "image",
                 limit: int | str | None = None, **params: Any) -> None:
        super().__init__(code, field=field, limit=limit, **params)


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
    507: _resp("No space left on the server to hold the request; retry later."),
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


def error_body(code: str, message: str, field: str | None = None,
               limit: Limit = None) -> dict[str, dict[str, Any]]:
    """The JSON body of an error response."""
    return {"error": {"code": code, "field": field, "limit": limit, "message": message}}
