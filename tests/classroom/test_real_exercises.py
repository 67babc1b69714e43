"""The classroom with issue 12's real exercises service (not the stand-in): launch, a right and
a wrong answer with its hint in both languages, reveal with the worked solution."""

from __future__ import annotations

import importlib
import sys

import pytest
from fastapi.testclient import TestClient

from tests.classroom.conftest import bearer, join, new_class


@pytest.fixture
def real(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.delitem(sys.modules, "app.services.exercises", raising=False)
    return importlib.import_module("app.services.exercises")


def test_launch_answer_reveal_with_the_real_exercises(client: TestClient, real) -> None:  # type: ignore[no-untyped-def]
    kind = real.list_kinds("en")[0]["id"]
    c = new_class(client)
    h = bearer(c["teacher_token"])
    ex = client.post(f"/api/classes/{c['code']}/exercise", json={"kind": kind, "seed": 7},
                     headers=h).json()
    assert ex["question"]["en"] == real.generate(kind, 7, "en")
    assert ex["question"]["ja"] == real.generate(kind, 7, "ja")
    right = real.solution_of(kind, real.problem(kind, 7), "en")["answer"]
    ok = client.post(f"/api/classes/{c['code']}/answers",
                     json={"exercise_id": ex["id"], "answer": right},
                     headers=bearer(join(client, c["code"]))).json()
    assert ok == {"correct": True, "mistake": None, "hint": None}
    r = client.post(f"/api/classes/{c['code']}/reveal", headers=h).json()
    assert r["solution"]["en"]["answer"] == right and r["solution"]["ja"]["text"]
    assert client.get("/api/classes/kinds").json() == real.list_kinds("en")


def test_unknown_kind_is_the_exercises_error(client: TestClient, real) -> None:  # type: ignore[no-untyped-def]
    c = new_class(client)
    r = client.post(f"/api/classes/{c['code']}/exercise", json={"kind": "nope", "seed": 1},
                    headers=bearer(c["teacher_token"]))
    assert r.status_code == 404 and r.json()["error"]["code"] == "exercise_unknown"
