"""/api/exercises: exercises the engine generates from a seed and checks (issue 12)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query

from app.errors import ERROR_RESPONSES, ErrorResponse, prefers_japanese
from app.schemas.exercises import MAX_SEED, CheckOut, CheckRequest, ExerciseOut, KindsOut, Lang
from app.services.exercises import check, generate, list_kinds

router = APIRouter(prefix="/api/exercises", tags=["exercises"], responses={
    404: {"model": ErrorResponse, "description": "Unknown exercise kind."},
    **{k: v for k, v in ERROR_RESPONSES.items() if k in (400, 413, 415, 422, 503)}})

KindPath = Annotated[str, Path(max_length=64, description="An id from GET /api/exercises.")]
LangQuery = Annotated[Lang | None, Query(description="en or ja; default: Accept-Language.")]
AcceptLanguage = Annotated[str | None, Header(include_in_schema=False)]


def _lang(lang: Lang | None, accept_language: str | None) -> str:
    return lang or ("ja" if prefers_japanese(accept_language) else "en")


@router.get("", response_model=KindsOut)
def kinds(lang: LangQuery = None, accept_language: AcceptLanguage = None) -> dict[str, Any]:
    """Every exercise kind in section order: id, the book's section, title."""
    return {"kinds": list_kinds(_lang(lang, accept_language))}


@router.get("/{kind}", response_model=ExerciseOut)
def question(kind: KindPath, seed: Annotated[int, Query(ge=0, le=MAX_SEED)] = 0,
             lang: LangQuery = None, accept_language: AcceptLanguage = None) -> dict[str, Any]:
    """The question of (kind, seed): text, inputs under the book's names, answer format."""
    return generate(kind, seed, _lang(lang, accept_language))


@router.post("/{kind}/check", response_model=CheckOut, response_model_exclude_none=False)
def check_answer(kind: KindPath, body: CheckRequest, lang: LangQuery = None,
                 accept_language: AcceptLanguage = None) -> dict[str, Any]:
    """Is the answer right? A wrong one gets the hint of the common mistake it matches (no +1,
    P for 2P, no bias, sum for max, FN and C mixed up, …); `solution: true` adds the worked
    solution. An answer of the wrong shape for the kind → 422 exercise_answer_invalid."""
    answer = body.answer.model_dump() if hasattr(body.answer, "model_dump") else body.answer
    return check(kind, body.seed, answer, _lang(lang, accept_language), body.solution)
