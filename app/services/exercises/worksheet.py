"""Printable worksheets: a teacher's sections, count and seed → the same questions as the
interactive page (kind, item seed) and their answer key."""

from __future__ import annotations

import random
from typing import Any

from app.errors import ApiError

from . import KINDS, MAX_SEED, ORDER, SECTIONS, generate, problem, solution_of
from .core import text

MAX_COUNT = 40
"""Questions on one worksheet."""


def items(sections: list[str], count: int, seed: int) -> list[tuple[str, int]]:
    """(kind, item seed) for each question: the selected sections' kinds in turn, each item's
    seed drawn from random.Random(seed), so the same (sections, count, seed) → the same sheet."""
    for s in sections:
        if s not in SECTIONS:
            raise ApiError("worksheet_section_unknown", field="sections",
                           limit=", ".join(SECTIONS), section=s)
    problem(ORDER[0], seed)  # checks the seed
    kinds = [k for k in ORDER if KINDS[k].section in sections] or list(ORDER)
    rng = random.Random(f"worksheet:{seed}")
    return [(kinds[i % len(kinds)], rng.randint(0, MAX_SEED)) for i in range(count)]


def worksheet(sections: list[str], count: int, seed: int, lang: str,
              key: bool = False) -> dict[str, Any]:
    """{"title", "sections": [titles], "questions": [generate(...) (+ "solution" when key)]}."""
    qs = []
    for kind, s in items(sections, count, seed):
        q = generate(kind, s, lang)
        if key:
            q["solution"] = solution_of(kind, problem(kind, s), lang)
        qs.append(q)
    chosen = [s for s in SECTIONS if s in sections] or list(SECTIONS)
    return {"sections": [text("sections", s, None, lang) for s in chosen], "questions": qs}
