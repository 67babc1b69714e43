"""The classroom's view of the exercises API (app.services.exercises, issue 12): the question
and solution in both languages at once (each student reads their own), and a verdict whose hint
is kept in both languages for the dashboard."""

from __future__ import annotations

import functools
import importlib
import json
from types import ModuleType
from typing import Any

LANGS = ("en", "ja")


def _api() -> Any:
    """Issue 12's module (list_kinds, generate, check), imported when first needed."""
    return importlib.import_module("app.services.exercises")


def questions(kind: str, seed: int) -> dict[str, Any]:
    """{"en": question, "ja": question}: generate(kind, seed, lang) for both languages."""
    api = _api()
    return {lang: api.generate(kind, seed, lang) for lang in LANGS}


def kinds(lang: str) -> list[dict[str, str]]:
    """The exercise kinds ({"id", "section", "title"}) the teacher can launch."""
    return list(_api().list_kinds(lang))


def solutions(kind: str, seed: int) -> dict[str, Any]:
    """{"en": {"answer", "text"}, "ja": …}: the right answer and its worked computation."""
    api = _api()
    problem = api.problem(kind, seed)
    return {lang: api.solution_of(kind, problem, lang) for lang in LANGS}


VERDICTS_CACHED = 512  # (kind, seed, answer) verdicts kept: a class gives few distinct answers


def verdict(kind: str, seed: int, answer: Any) -> dict[str, Any]:
    """{"correct": bool, "mistake": code | None, "hint": {"en", "ja"} | None} of one answer.

    Cached per (exercise module, kind, seed, answer's canonical JSON): checking regenerates the
    problem in both languages (about 1 ms), and in a class most answers are the same few."""
    key = json.dumps(answer, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    cached = _verdict(_api(), kind, seed, key)
    hint = cached["hint"]
    return {**cached, "hint": None if hint is None else dict(hint)}


@functools.lru_cache(maxsize=VERDICTS_CACHED)
def _verdict(api: ModuleType, kind: str, seed: int, answer_json: str) -> dict[str, Any]:
    answer = json.loads(answer_json)
    checked = {lang: api.check(kind, seed, answer, lang) for lang in LANGS}
    hint = {lang: checked[lang].get("hint") for lang in LANGS}
    return {"correct": bool(checked["en"]["correct"]), "mistake": checked["en"].get("mistake"),
            "hint": hint if hint["en"] else None}
