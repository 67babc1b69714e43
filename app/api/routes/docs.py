"""GET /docs: Swagger UI over /openapi.json, served from static/vendor (works offline)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.api.wire import PAGE_CACHE_CONTROL

router = APIRouter()

VENDOR = "/static/vendor/swagger-ui"
DOCS_HTML = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ConvScope API</title>
<link rel="stylesheet" href="{VENDOR}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{VENDOR}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs/init.js"></script>
</body>
</html>
"""


@router.get("/docs", include_in_schema=False, response_class=HTMLResponse)
def docs() -> HTMLResponse:
    """The interactive API documentation: every request, response and error of /openapi.json."""
    return HTMLResponse(DOCS_HTML, headers={"Cache-Control": PAGE_CACHE_CONTROL})
