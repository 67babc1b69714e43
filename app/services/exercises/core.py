"""What every exercise kind shares: the Problem a generator returns, answer formats and their
normalisation to a tuple of ints, and the en/ja texts (texts.json, the book's terms)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from app.errors import ApiError

MAX_SEED = 2**31 - 1
"""Seeds are 0 … MAX_SEED (the same seed gives the same question)."""
MAX_ANSWER_VALUE = 1_000_000
"""|number| accepted in an answer; every right answer is far below it."""
MAX_ANSWER_ITEMS = 64
"""Numbers accepted in one answer (the largest answer, a 6×6 pooled map, has 9)."""
LANGS = ("en", "ja")

Answer = tuple[int, ...]


@dataclass(frozen=True)
class Format:
    """How an answer is written: kind int | pair (OH, OW) | shape (names) | matrix rows×cols |
    choice (one of options)."""

    kind: str
    names: tuple[str, ...] = ()
    rows: int = 0
    cols: int = 0
    options: tuple[int, ...] = ()

    def public(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.kind}
        if self.names:
            out["names"] = list(self.names)
        if self.kind == "matrix":
            out["rows"], out["cols"] = self.rows, self.cols
        if self.options:
            out["options"] = list(self.options)
        return out

    def to_json(self, a: Answer) -> Any:
        """A normalised answer as the JSON a client would send."""
        if self.kind in ("int", "choice"):
            return a[0]
        if self.kind == "matrix":
            return [list(a[r * self.cols:(r + 1) * self.cols]) for r in range(self.rows)]
        return list(a)

    def size(self) -> int:
        return {"int": 1, "choice": 1, "pair": 2}.get(self.kind, len(self.names)
                                                     or self.rows * self.cols)


@dataclass
class Problem:
    """One generated question: inputs (the book's names), the right answer, the wrong answers
    of the common mistakes (id → answer, never equal to the right one nor to each other) and
    the parameters of the question / solution texts."""

    inputs: dict[str, Any]
    answer: Answer
    format: Format
    mistakes: dict[str, Answer] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    def add_mistake(self, mistake: str, wrong: Answer) -> None:
        """Record a mistake's answer unless it is the right one or another mistake's."""
        if wrong != self.answer and wrong not in self.mistakes.values():
            self.mistakes[mistake] = wrong


@dataclass(frozen=True)
class Kind:
    """An exercise kind: id, the book's section and the generator rng → Problem."""

    id: str
    section: str
    make: Callable[[random.Random], Problem]


@cache
def texts() -> dict[str, Any]:
    """texts.json: sections, kinds (title, question, solution) and hints, each {"en", "ja"}."""
    data: dict[str, Any] = json.loads(
        Path(__file__).with_name("texts.json").read_text(encoding="utf-8"))
    return data


def text(group: str, key: str, part: str | None, lang: str, **params: Any) -> str:
    """texts.json [group][key][part][lang], formatted with params."""
    entry = texts()[group][key]
    if part is not None:
        entry = entry[part]
    return str(entry[lang]).format(**params)


def grid(rows: list[list[int]]) -> str:
    """A small integer matrix as text lines, e.g. "1 2 3 0\\n0 1 2 3"."""
    return "\n".join(" ".join(f"{v:>2d}" for v in r) for r in rows)


def _int(v: Any, where: str, expected: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ApiError("exercise_answer_invalid", field=where, limit=expected, expected=expected)
    if abs(v) > MAX_ANSWER_VALUE:
        raise ApiError("exercise_answer_too_large", field=where, limit=MAX_ANSWER_VALUE)
    return v


def _ints(v: Any, n: int, where: str, expected: str) -> Answer:
    if not isinstance(v, list | tuple) or len(v) != n:
        raise ApiError("exercise_answer_invalid", field=where, limit=expected, expected=expected)
    return tuple(_int(x, f"{where}.{i}", expected) for i, x in enumerate(v))


def expected_text(fmt: Format) -> str:
    """What the answer must look like, in words (English; JSON-like)."""
    if fmt.kind == "int":
        return "an integer"
    if fmt.kind == "choice":
        return "one of " + ", ".join(map(str, fmt.options))
    if fmt.kind == "pair":
        return 'OH, [OH, OW] or {"oh": OH, "ow": OW}'
    if fmt.kind == "matrix":
        return f"a {fmt.rows}×{fmt.cols} list of lists of integers"
    return "[" + ", ".join(fmt.names) + "]"


def normalise(fmt: Format, answer: Any) -> tuple[Answer, bool]:
    """(the answer as a tuple of ints, whether a pair was given as one number). Raises ApiError
    exercise_answer_invalid (wrong shape, not integers) or exercise_answer_too_large."""
    exp = expected_text(fmt)
    if fmt.kind in ("int", "choice"):
        if isinstance(answer, list) and len(answer) == 1:
            answer = answer[0]
        return (_int(answer, "answer", exp),), False
    if fmt.kind == "pair":
        if isinstance(answer, dict):
            if set(answer) != {"oh", "ow"}:
                raise ApiError("exercise_answer_invalid", field="answer", limit=exp, expected=exp)
            oh, ow = _int(answer["oh"], "answer.oh", exp), _int(answer["ow"], "answer.ow", exp)
            return (oh, ow), False
        if isinstance(answer, list | tuple):
            return _ints(answer, 2, "answer", exp), False
        one = _int(answer, "answer", exp)
        return (one, one), True
    if fmt.kind == "matrix":
        if not isinstance(answer, list | tuple) or len(answer) != fmt.rows:
            raise ApiError("exercise_answer_invalid", field="answer", limit=exp, expected=exp)
        rows = [_ints(r, fmt.cols, f"answer.{i}", exp) for i, r in enumerate(answer)]
        return tuple(v for r in rows for v in r), False
    return _ints(answer, len(fmt.names), "answer", exp), False
