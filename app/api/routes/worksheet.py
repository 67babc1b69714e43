"""GET /worksheet and /worksheet/key: printable worksheets (A4, black and white) from sections,
a count and a seed, with a QR code back to the interactive page; the same questions as
GET /api/exercises/{kind}?seed= (issue 12); GET /api/worksheet lists them as JSON."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pydantic import StringConstraints

from app.deps import SettingsDep
from app.errors import ERROR_RESPONSES, prefers_japanese
from app.schemas.exercises import MAX_SEED, Lang, WorksheetItem, WorksheetOut
from app.services.exercises.qr import qr_svg
from app.services.exercises.worksheet import MAX_COUNT, items, worksheet

router = APIRouter(tags=["exercises"], responses={
    k: v for k, v in ERROR_RESPONSES.items() if k in (400, 413, 422, 503)})

SectionId = Annotated[str, StringConstraints(max_length=16)]
Sections = Annotated[list[SectionId], Query(max_length=8, description="Section numbers, e.g. "
                                            "7.2.4; none: every section.")]
Count = Annotated[int, Query(ge=1, le=MAX_COUNT, description="Questions on the sheet.")]
SeedQ = Annotated[int, Query(ge=0, le=MAX_SEED, description="The same seed, the same sheet.")]


@lru_cache(maxsize=4)
def _templates(directory: Path) -> Jinja2Templates:
    return Jinja2Templates(directory=str(directory))


def _render(request: Request, settings: SettingsDep, sections: list[str], count: int,
            seed: int, lang: str, key: bool) -> HTMLResponse:
    sheet = worksheet(sections, count, seed, lang, key=key)
    link = str(request.base_url) + "?" + urlencode({
        "view": "exercises", "lang": lang, "exercises-sheet": seed, "exercises-count": count,
        "exercises-sections": ",".join(sections)})
    ctx = {"sheet": sheet, "key": key, "lang": lang, "seed": seed, "count": count,
           "link": link, "qr": Markup(qr_svg(link))}  # noqa: S704 (segno's own SVG)
    return _templates(settings.templates_dir).TemplateResponse(request, "worksheet.html", ctx)


@router.get("/api/worksheet", response_model=WorksheetOut)
def worksheet_items(sections: Sections = [], count: Count = 8,  # noqa: B006
                    seed: SeedQ = 1) -> WorksheetOut:
    """The worksheet's questions as (kind, seed), in order: what the page's worksheet mode and
    the printed sheet of the same sections, count and seed ask."""
    pairs = items(sections, count, seed)
    return WorksheetOut(items=[WorksheetItem(kind=k, seed=s) for k, s in pairs])


@router.get("/worksheet", response_class=HTMLResponse, include_in_schema=False)  # a page, as /
def worksheet_page(request: Request, settings: SettingsDep, sections: Sections = [],  # noqa: B006
                   count: Count = 8, seed: SeedQ = 1, lang: Lang | None = None,
                   accept_language: Annotated[str | None, Header()] = None) -> HTMLResponse:
    """A printable worksheet: numbered questions with answer boxes."""
    lang = lang or ("ja" if prefers_japanese(accept_language) else "en")
    return _render(request, settings, sections, count, seed, lang, key=False)


@router.get("/worksheet/key", response_class=HTMLResponse, include_in_schema=False)
def worksheet_key(request: Request, settings: SettingsDep, sections: Sections = [],  # noqa: B006
                  count: Count = 8, seed: SeedQ = 1, lang: Lang | None = None,
                  accept_language: Annotated[str | None, Header()] = None) -> HTMLResponse:
    """The answer key of the same worksheet: each answer and its worked solution."""
    lang = lang or ("ja" if prefers_japanese(accept_language) else "en")
    return _render(request, settings, sections, count, seed, lang, key=True)
