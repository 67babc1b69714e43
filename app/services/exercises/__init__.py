"""Exercises the engine generates and checks (issue 12), tied to the book's sections.

    list_kinds(lang) -> [{"id", "section", "title"}]
    generate(kind, seed, lang) -> {"kind", "section", "seed", "title", "question", "inputs",
                                   "answer_format"}           (no answer)
    check(kind, seed, answer, lang, solution=False) -> {"correct", "hint", "mistake"[,
                                   "solution": {"answer", "text"}]}

The same (kind, seed) always gives the same question (random.Random seeded with both). Unknown
kind → ApiError exercise_unknown; a badly shaped answer → exercise_answer_invalid /
exercise_answer_too_large; a seed outside 0…MAX_SEED → exercise_seed_invalid.
"""

from __future__ import annotations

import random
from typing import Any

from app.errors import ApiError

from . import conv, geometry, pooling, shapes
from .core import LANGS, MAX_ANSWER_ITEMS, MAX_ANSWER_VALUE, MAX_SEED, Kind, Problem, normalise
from .core import text as _text

KINDS: dict[str, Kind] = {k.id: k for m in (conv, geometry, shapes, pooling) for k in m.KINDS}
SECTIONS: tuple[str, ...] = ("7.2.2", "7.2.3", "7.2.4", "7.2.5–7.2.6", "7.2.7", "7.3", "7.4.2")
ORDER: tuple[str, ...] = tuple(sorted(KINDS, key=lambda k: SECTIONS.index(KINDS[k].section)))

__all__ = ["KINDS", "MAX_ANSWER_ITEMS", "MAX_ANSWER_VALUE", "MAX_SEED", "ORDER", "SECTIONS",
           "check", "generate", "list_kinds", "problem"]


def _lang(lang: str) -> str:
    if lang not in LANGS:
        raise ApiError("exercise_lang_invalid", field="lang", limit="en, ja", lang=lang)
    return lang


def problem(kind: str, seed: int) -> Problem:
    """The Problem of (kind, seed). Raises ApiError for an unknown kind or a bad seed."""
    if kind not in KINDS:
        raise ApiError("exercise_unknown", field="kind", limit=", ".join(ORDER), kind=kind)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ApiError("exercise_seed_invalid", field="seed", limit=MAX_SEED)
    return KINDS[kind].make(random.Random(f"{kind}:{seed}"))


def list_kinds(lang: str = "en") -> list[dict[str, str]]:
    """Every kind in section order: {"id", "section", "title"}."""
    lang = _lang(lang)
    return [{"id": k, "section": KINDS[k].section, "title": _text("kinds", k, "title", lang)}
            for k in ORDER]


def generate(kind: str, seed: int, lang: str = "en") -> dict[str, Any]:
    """The question of (kind, seed) in lang, with its inputs and answer format (no answer)."""
    lang = _lang(lang)
    p = problem(kind, seed)
    return {"kind": kind, "section": KINDS[kind].section, "seed": seed, "lang": lang,
            "title": _text("kinds", kind, "title", lang),
            "question": _text("kinds", kind, "question", lang, **p.params),
            "inputs": p.inputs, "answer_format": p.format.public()}


def solution_of(kind: str, p: Problem, lang: str) -> dict[str, Any]:
    """The right answer (as JSON) and its worked computation in lang."""
    return {"answer": p.format.to_json(p.answer),
            "text": _text("kinds", kind, "solution", lang, **p.params)}


def check(kind: str, seed: int, answer: Any, lang: str = "en",
          solution: bool = False) -> dict[str, Any]:
    """Whether answer is right; if not, the hint of the mistake it matches (or a general one)."""
    lang = _lang(lang)
    p = problem(kind, seed)
    given, scalar = normalise(p.format, answer)
    correct = given == p.answer
    mistake: str | None = None
    if not correct:
        if scalar and given[0] == p.answer[0]:
            mistake = "give_both"
        else:
            mistake = next((m for m, wrong in p.mistakes.items() if wrong == given), None)
    hint = None
    if not correct:
        key = (mistake or f"other:{kind}").split(":")[0]
        group = "hints" if key != "other" else "kinds"
        hint = (_text(group, key, None, lang, **p.params, given=given[0]) if group == "hints"
                else _text("kinds", kind, "hint", lang, **p.params))
    out: dict[str, Any] = {"correct": correct, "hint": hint,
                           "mistake": mistake.split(":")[0] if mistake else None}
    if solution:
        out["solution"] = solution_of(kind, p, lang)
    return out
