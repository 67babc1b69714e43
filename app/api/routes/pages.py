"""GET / : the page shell (tabs) with every view's partial; GET /favicon.ico."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from app.api.wire import LONG_CACHE_CONTROL, PAGE_CACHE_CONTROL
from app.config import __version__
from app.deps import SettingsDep

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class View:
    """A tab: templates/views/<id>.html + static/js/views/<id>/index.js exporting mount(root)."""

    id: str
    label_key: str  # i18n key of the tab label, "common.views.<id>"


VIEWS: tuple[View, ...] = tuple(View(v, f"common.views.{v}") for v in (
    "lab", "network", "conv3d", "batch", "im2col", "pooling", "sliding", "structure",
    "exercises", "classroom"))


@lru_cache(maxsize=4)
def _templates(directory: Path) -> Jinja2Templates:
    return Jinja2Templates(directory=str(directory))


def available_views(templates_dir: Path) -> list[View]:
    """The views whose partial template exists, in tab order."""
    return [v for v in VIEWS if (templates_dir / "views" / f"{v.id}.html").is_file()]


@router.get("/", response_class=HTMLResponse)
def index(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The page: header, tabs, one <section data-view> per available view (revalidated on every
    load, so that a new deploy is picked up)."""
    views = available_views(settings.templates_dir)
    return _templates(settings.templates_dir).TemplateResponse(
        request, "index.html", {"views": views, "version": __version__},
        headers={"Cache-Control": PAGE_CACHE_CONTROL})


@router.get("/favicon.ico")
def favicon(settings: SettingsDep) -> FileResponse:
    """The icon browsers ask for by default."""
    return FileResponse(settings.static_dir / "favicon.svg", media_type="image/svg+xml",
                        headers={"Cache-Control": LONG_CACHE_CONTROL})


@router.get("/classroom")
def classroom(join: str | None = None, teach: str | None = None) -> RedirectResponse:
    """The links of a class (join_url, teacher_url): the page's classroom tab. A relative
    Location; the teacher link's #fragment (the token) stays in the browser."""
    query = urlencode({k: v[:16] for k, v in (("join", join), ("teach", teach)) if v})
    return RedirectResponse(f"/?view=classroom{'&' + query if query else ''}", status_code=303)
