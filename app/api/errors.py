"""Exception handlers: ApiError, validation errors and Starlette HTTP errors → the one error
shape of app.errors, in the request's language (Accept-Language)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.validation import validation_api_error
from app.errors import ApiError, Limit, error_body, prefers_japanese


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


async def _server_error_handler(request: Request, exc: Exception) -> JSONResponse:
    err = ApiError(500, "internal_error", "Internal server error.", "サーバー内部のエラーです。")
    return error_response(request, err)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape."""
    app.add_exception_handler(ApiError, _api_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(Exception, _server_error_handler)
