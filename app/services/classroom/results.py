"""The dashboard's numbers and the CSV, from the answers in the store (anonymous: students are
numbers, nicknames never leave their record).

results: {"exercise_id", "kind", "seed", "students", "answered", "correct", "share_correct",
"distribution": [{"answer", "count", "correct"}], "mistakes": [{"mistake", "count", "hint"}]}
(distribution and mistakes most frequent first).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Any

from app.services.classroom.state import Record, answers_ns, students_ns
from app.store import Store


def _answers(store: Store, code: str, exercise_id: int) -> list[tuple[str, dict[str, Any]]]:
    ns = answers_ns(code, exercise_id)
    rows = [(key, store.get(ns, key)) for key in store.keys(ns)]
    return [(key, json.loads(raw)) for key, raw in rows if raw is not None]


def _key(answer: Any) -> str:
    return json.dumps(answer, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def results(store: Store, record: Record, lang: str) -> dict[str, Any]:
    """The current exercise's results (hints in `lang`); `exercise_id` None before the first."""
    code, exercise = record["code"], record["exercise"]
    students = len(store.keys(students_ns(code)))
    out: dict[str, Any] = {"exercise_id": None, "students": students, "answered": 0,
                           "correct": 0, "share_correct": None, "distribution": [],
                           "mistakes": []}
    if exercise is None:
        return out
    answers = [entry for _, entry in _answers(store, code, exercise["id"])]
    by_answer = Counter(_key(a["answer"]) for a in answers)
    correct_of = {_key(a["answer"]): a["correct"] for a in answers}
    mistakes = Counter(a["mistake"] for a in answers if not a["correct"] and a.get("mistake"))
    hint_of = {a["mistake"]: (a.get("hint") or {}).get(lang) for a in answers if a.get("mistake")}
    correct = sum(1 for a in answers if a["correct"])
    out.update(exercise_id=exercise["id"], kind=exercise["kind"], seed=exercise["seed"],
               answered=len(answers), correct=correct,
               share_correct=correct / len(answers) if answers else None,
               distribution=[{"answer": json.loads(k), "count": n, "correct": correct_of[k]}
                             for k, n in by_answer.most_common()],
               mistakes=[{"mistake": m, "count": n, "hint": hint_of.get(m)}
                         for m, n in mistakes.most_common()])
    return out


CSV_COLUMNS = ("exercise", "kind", "seed", "student", "answer", "correct", "mistake",
               "seconds_after_start")


def results_csv(store: Store, record: Record) -> str:
    """Every answer of every exercise of the class, one row each (anonymous student numbers)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for ex in record["exercises"]:
        for student, entry in sorted(_answers(store, record["code"], ex["id"]),
                                     key=lambda row: int(row[0])):
            writer.writerow([ex["id"], ex["kind"], ex["seed"], student, _key(entry["answer"]),
                             str(entry["correct"]).lower(), entry.get("mistake") or "",
                             round(entry["at"] - record["created_at"], 1)])
    return buf.getvalue()
