"""Exception handlers: ApiError, validation errors and Starlette HTTP errors → the one error
shape of app.errors, in the request's language (Accept-Language)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from app.api.validation import validation_api_error
from app.errors import ApiError, error_body, prefers_japanese


def error_response(request: Request | None, exc: ApiError) -> JSONResponse:
    """ApiError → JSONResponse in the request's preferred language."""
    ja = request is not None and prefers_japanese(request.headers.get("accept-language"))
    body = error_body(exc.code, exc.message("ja" if ja else "en"), exc.field, exc.limit)
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


_HTTP_CODES: dict[int, str] = {400: "bad_request", 404: "not_found", 405: "method_not_allowed",
                               406: "not_acceptable", 413: "body_too_large",
                               415: "unsupported_media_type"}


def _from_http(request: Request, exc: StarletteHTTPException) -> ApiError:
    """A Starlette HTTP error (404, 405, 413, …) as the catalogue's ApiError."""
    detail, status = str(exc.detail), exc.status_code
    headers = getattr(exc, "headers", None)
    code = _HTTP_CODES.get(status)
    if code is None:
        return ApiError("http_error", status=status, headers=headers, detail=detail)
    if status == 413:
        return ApiError(code, field="body", headers=headers,
                        limit=getattr(request.app.state, "max_body_bytes", None))
    variant = "detail" if status == 400 and detail and detail != "Bad Request" else None
    return ApiError(code, variant=variant, headers=headers, detail=detail, method=request.method,
                    path=request.url.path)


async def _api_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(request, exc)


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc.__cause__, ClientDisconnect):  # FastAPI's form parsing wraps it in a 400:
        raise exc.__cause__  # nobody to answer; BodySizeGuard logs one line
    return error_response(request, _from_http(request, exc))


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(request, validation_api_error(exc.errors()))


async def _server_error_handler(request: Request, exc: Exception) -> JSONResponse:
    return error_response(request, ApiError("internal_error"))


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape."""
    app.add_exception_handler(ApiError, _api_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(Exception, _server_error_handler)
