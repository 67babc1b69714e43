"""100 answers at once through two server processes sharing one store (SQLite file; Redis): the
results count every answer exactly, and the teacher's stream gets one answer event each (issue
13's load: the bench's burst, as a test of counts rather than of time)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.classroom.fake_exercises import right_answer
from tests.classroom.sse import Stream, start
from tests.classroom.test_workers import _env

N = 100
SEED = 4


def _value(i: int) -> int:
    """50 right, 30 "forgot the +1", 20 other answers."""
    right = right_answer(SEED)
    return right if i < 50 else right - 1 if i < 80 else right + 7


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_100_concurrent_answers_are_counted_exactly(backend: str, tmp_path: Path,
                                                    request: pytest.FixtureRequest) -> None:
    env = _env(backend, tmp_path, request)
    servers = [start(tmp_path / "a.log", env), start(tmp_path / "b.log", env)]
    teacher_stream = None
    try:
        base = [s.url for s in servers]
        c = httpx.post(base[0] + "/api/classes").json()
        code, teacher = c["code"], {"Authorization": f"Bearer {c['teacher_token']}"}
        tokens = [httpx.post(f"{base[i % 2]}/api/classes/{code}/students", json={})
                  .json()["student_token"] for i in range(N)]
        ex = httpx.post(f"{base[0]}/api/classes/{code}/exercise",
                        json={"kind": "out-size", "seed": SEED}, headers=teacher).json()
        teacher_stream = Stream(f"{base[1]}/api/classes/{code}/events", c["teacher_token"])
        assert teacher_stream.next()[1]["type"] == "state"

        def answer(i: int) -> int:
            r = httpx.post(f"{base[i % 2]}/api/classes/{code}/answers",
                           json={"exercise_id": ex["id"], "answer": _value(i)},
                           headers={"Authorization": f"Bearer {tokens[i]}"}, timeout=30)
            return r.status_code

        with ThreadPoolExecutor(25) as pool:
            assert list(pool.map(answer, range(N))) == [200] * N

        answers = [e for _, e in teacher_stream.take(N)]
        assert {e["type"] for e in answers} == {"answer"}
        assert Counter(e["answer"] for e in answers) == Counter(_value(i) for i in range(N))
        res = httpx.get(f"{base[1]}/api/classes/{code}/results", headers=teacher).json()
        assert (res["students"], res["answered"], res["correct"]) == (N, N, 50)
        assert res["share_correct"] == 0.5
        assert [(d["answer"], d["count"], d["correct"]) for d in res["distribution"]] == [
            (right_answer(SEED), 50, True), (right_answer(SEED) - 1, 30, False),
            (right_answer(SEED) + 7, 20, False)]
        assert [(m["mistake"], m["count"]) for m in res["mistakes"]] == [
            ("forgot_plus_one", 30), ("other", 20)]
    finally:
        if teacher_stream is not None:
            teacher_stream.close()
        for s in servers:
            s.stop()
