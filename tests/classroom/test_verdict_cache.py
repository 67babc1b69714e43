"""The classroom checks each distinct answer of an exercise once (issue 13's load target: a burst
of 100 answers used to regenerate the problem 200 times)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from app.services.classroom import exercises
from tests.classroom import fake_exercises


class Counting:
    """The fake exercises API, counting its checks."""

    def __init__(self) -> None:
        self.calls = 0

    def check(self, kind: str, seed: int, answer: Any, lang: str) -> dict[str, Any]:
        self.calls += 1
        return fake_exercises.check(kind, seed, answer, lang)


def test_a_repeated_answer_is_checked_once_per_language(monkeypatch: pytest.MonkeyPatch) -> None:
    api = Counting()
    monkeypatch.setitem(sys.modules, "app.services.exercises", api)
    right = fake_exercises.right_answer(7)
    verdicts = [exercises.verdict("out-size", 7, a) for a in [right - 1] * 50 + [right] * 50]
    assert api.calls == 4  # two distinct answers, two languages
    assert verdicts[0] == {"correct": False, "mistake": "forgot_plus_one",
                           "hint": fake_exercises.HINTS}
    assert verdicts[-1] == {"correct": True, "mistake": None, "hint": None}
    verdicts[0]["hint"]["en"] = "changed by a caller"
    assert exercises.verdict("out-size", 7, right - 1)["hint"] == fake_exercises.HINTS


def test_the_cache_tells_answers_and_exercises_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    api = Counting()
    monkeypatch.setitem(sys.modules, "app.services.exercises", api)
    right = fake_exercises.right_answer(8)
    assert exercises.verdict("out-size", 8, right)["correct"] is True
    assert exercises.verdict("out-size", 8, [right])["correct"] is False  # another JSON value
    assert exercises.verdict("out-size", 9, right)["correct"] is False  # another seed
    assert api.calls == 6
