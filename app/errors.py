"""The one error shape for every 4xx/5xx: {"error": {"code", "field", "limit", "message"}}.

`ApiError` is raised anywhere (routes, service, worker threads); handlers installed by
`install_error_handlers` turn it, FastAPI's validation errors and Starlette's HTTP errors (404,
405, 413, 415, …) into that shape. Messages are English, or Japanese when Accept-Language
prefers `ja`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.validation_messages import describe_validation_error

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


def error_body(code: str, message: str, field: str | None = None, limit: Limit = None) -> dict:
    """The JSON body of an error response."""
    return {"error": {"code": code, "field": field, "limit": limit, "message": message}}


def error_response(request: Request | None, exc: ApiError) -> JSONResponse:
    """ApiError → JSONResponse in the request's preferred language."""
    ja = request is not None and prefers_japanese(request.headers.get("accept-language"))
    body = error_body(exc.code, exc.message_ja if ja else exc.message_en, exc.field, exc.limit)
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


_HTTP_ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "The request could not be read.", "リクエストを読み取れません。"),
    404: ("not_found", "No such resource.", "該当するリソースがありません。"),
    405: ("method_not_allowed", "This method is not allowed here.", "このメソッドは使えません。"),
    406: ("not_acceptable", "Cannot produce the requested media type.",
          "要求された形式では応答できません。"),
    413: ("body_too_large", "The request body is too large.", "リクエスト本体が大きすぎます。"),
    415: ("unsupported_media_type", "Unsupported content type.",
          "対応していない Content-Type です。"),
}


def _from_http(request: Request, exc: StarletteHTTPException) -> ApiError:
    detail = str(exc.detail)
    code, en, ja = _HTTP_ERRORS.get(exc.status_code, ("http_error", detail, detail))
    if exc.status_code == 400 and detail and detail != "Bad Request":
        en, ja = f"{en} ({detail})", f"{ja}（{detail}）"
    limit: Limit = None
    if exc.status_code == 413:
        limit = getattr(request.app.state, "max_body_bytes", None)
        en = f"The request body is larger than {limit} bytes."
        ja = f"リクエスト本体が上限 {limit} バイトを超えています。"
    elif exc.status_code == 405:
        en = f"{request.method} is not allowed on {request.url.path}."
    return ApiError(exc.status_code, code, en, ja, field="body" if exc.status_code == 413 else None,
                    limit=limit, headers=getattr(exc, "headers", None))


async def _api_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(request, exc)


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return error_response(request, _from_http(request, exc))


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(request, validation_api_error(exc.errors()))


def validation_api_error(errors: Any, prefix: str = "") -> ApiError:
    """Pydantic/FastAPI error list → a 422 ApiError describing the first error."""
    code, field, limit, en, ja = describe_validation_error(list(errors), prefix)
    status = 400 if code == "invalid_json" else 422
    return ApiError(status, code, en, ja, field=field, limit=limit)


async def _server_error_handler(request: Request, exc: Exception) -> JSONResponse:
    err = ApiError(500, "internal_error", "Internal server error.", "サーバー内部のエラーです。")
    return error_response(request, err)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape."""
    app.add_exception_handler(ApiError, _api_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(Exception, _server_error_handler)
