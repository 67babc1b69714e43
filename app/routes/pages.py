"""GET / : the filter lab page."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    return HTMLResponse("<!doctype html><title>ConvScope</title><h1>ConvScope</h1>")
