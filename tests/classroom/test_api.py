"""/api/classes over HTTP (TestClient, SQLite store): the whole flow, authorisation, results and
CSV, expiry and ending. Event streams: test_stream.py; limits: test_limits.py."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from app.services.classroom import codes, state
from tests.classroom.conftest import bearer, join, new_class
from tests.classroom.fake_exercises import right_answer


def test_create_gives_a_code_a_token_and_links(client: TestClient) -> None:
    c = new_class(client)
    assert len(c["code"]) == 6 and set(c["code"]) <= set(codes.CODE_ALPHABET)
    assert not set(c["code"]) & set("01OIL")
    assert c["join_url"] == f"/classroom?join={c['code']}"
    assert c["teacher_url"] == f"/classroom?teach={c['code']}#{c['teacher_token']}"
    assert len(c["teacher_token"]) >= 32
    assert c["expires_at"] == pytest.approx(state.time.time() + 12 * 3600, abs=60)


def test_the_store_keeps_only_the_token_hash(client: TestClient) -> None:
    c = new_class(client)
    store = client.app.state.store  # type: ignore[attr-defined]
    raw = store.get("classes", c["code"])
    assert c["teacher_token"].encode() not in raw
    assert codes.token_hash(c["teacher_token"]).encode() in raw


def test_join_is_anonymous_and_the_code_is_forgiving(client: TestClient) -> None:
    c = new_class(client)
    messy = c["code"][:3].lower() + "-" + c["code"][3:].lower()
    r = client.post(f"/api/classes/{messy}/students", json={"nickname": "  Hana "})
    assert r.status_code == 201
    assert r.json()["student"] == 1 and r.json()["nickname"] == "Hana"
    r = client.post(f"/api/classes/{c['code']}/students", json={})
    assert r.json()["student"] == 2 and r.json()["nickname"] == ""


def test_unknown_or_malformed_code_is_404(client: TestClient) -> None:
    for code in ("ZZZZZZ", "abc", "OOOOOO"):
        r = client.post(f"/api/classes/{code}/students", json={})
        assert r.status_code == 404 and r.json()["error"]["code"] == "class_not_found"


def test_scene_lock_and_the_snapshot(client: TestClient) -> None:
    c = new_class(client)
    scene = {"tab": "lab", "image_ref": "ab" * 32, "kernel": "sobel-x", "pad": 1,
             "inspect": [3, 4], "ja": "日本語"}
    r = client.post(f"/api/classes/{c['code']}/scene", json={"scene": scene},
                    headers=bearer(c["teacher_token"]))
    assert r.status_code == 200 and r.json()["event_id"] >= 1
    r = client.post(f"/api/classes/{c['code']}/lock", json={"locked": True},
                    headers=bearer(c["teacher_token"]))
    assert r.status_code == 200
    record = state.load(client.app.state.store, c["code"])  # type: ignore[attr-defined]
    assert record["scene"] == scene and record["locked"] is True


def _launch(client: TestClient, c: dict, seed: int = 3) -> dict:
    r = client.post(f"/api/classes/{c['code']}/exercise", json={"kind": "out-size", "seed": seed},
                    headers=bearer(c["teacher_token"]))
    assert r.status_code == 200, r.text
    return dict(r.json())


def _answer(client: TestClient, code: str, token: str, ex_id: int, value: object,
            lang: str = "en") -> dict:
    r = client.post(f"/api/classes/{code}/answers", json={"exercise_id": ex_id, "answer": value},
                    headers={**bearer(token), "Accept-Language": lang})
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_exercise_answers_results_reveal_and_csv(client: TestClient) -> None:
    c = new_class(client)
    students = [join(client, c["code"]) for _ in range(5)]
    ex = _launch(client, c, seed=3)
    right = right_answer(3)  # H = 8 → OH = 6
    assert ex["id"] == 1 and ex["question"]["en"]["prompt"].startswith("H = 8")
    assert ex["question"]["ja"]["prompt"].startswith("H = 8、")
    verdicts = [_answer(client, c["code"], t, 1, v)
                for t, v in zip(students, [right, right, right - 1, right - 1, 99], strict=True)]
    assert [v["correct"] for v in verdicts] == [True, True, False, False, False]
    assert verdicts[2]["mistake"] == "forgot_plus_one" and "+1" in verdicts[2]["hint"]
    res = client.get(f"/api/classes/{c['code']}/results", headers={
        **bearer(c["teacher_token"]), "Accept-Language": "ja"}).json()
    assert res["students"] == 5 and res["answered"] == 5 and res["correct"] == 2
    assert res["share_correct"] == pytest.approx(0.4)
    assert res["distribution"][:2] == [{"answer": right, "count": 2, "correct": True},
                                       {"answer": right - 1, "count": 2, "correct": False}]
    assert res["mistakes"][0] == {"mistake": "forgot_plus_one", "count": 2,
                                  "hint": "+1 を忘れています：OH = (H + 2P − FH) / S + 1。"}
    r = client.post(f"/api/classes/{c['code']}/reveal", headers=bearer(c["teacher_token"]))
    solution = {"answer": 6, "text": "OH = (8 − 3) / 1 + 1 = 6"}
    assert r.json() == {"exercise_id": 1, "solution": {"en": solution, "ja": solution}}
    r = client.get(f"/api/classes/{c['code']}/results?format=csv",
                   headers=bearer(c["teacher_token"]))
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:7] == ["exercise", "kind", "seed", "student", "answer", "correct", "mistake"]
    assert [row[3:7] for row in rows[1:]] == [
        ["1", str(right), "true", ""], ["2", str(right), "true", ""],
        ["3", str(right - 1), "false", "forgot_plus_one"],
        ["4", str(right - 1), "false", "forgot_plus_one"], ["5", "99", "false", "other"]]


def test_one_answer_per_exercise_and_only_the_current_one(client: TestClient) -> None:
    c = new_class(client)
    t = join(client, c["code"])
    _launch(client, c)
    _answer(client, c["code"], t, 1, 1)
    h = bearer(t)
    r = client.post(f"/api/classes/{c['code']}/answers", json={"exercise_id": 1, "answer": 2},
                    headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_answered"
    _launch(client, c, seed=4)
    r = client.post(f"/api/classes/{c['code']}/answers", json={"exercise_id": 1, "answer": 2},
                    headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_exercise"
    assert _answer(client, c["code"], t, 2, right_answer(4))["correct"] is True


def test_reveal_without_exercise_is_409(client: TestClient) -> None:
    c = new_class(client)
    r = client.post(f"/api/classes/{c['code']}/reveal", headers=bearer(c["teacher_token"]))
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_exercise"


def test_end_class_then_404(client: TestClient) -> None:
    c = new_class(client)
    t = join(client, c["code"])
    assert client.delete(f"/api/classes/{c['code']}",
                         headers=bearer(t)).status_code == 403
    assert client.delete(f"/api/classes/{c['code']}",
                         headers=bearer(c["teacher_token"])).status_code == 204
    r = client.post(f"/api/classes/{c['code']}/students", json={})
    assert r.status_code == 404
    r = client.get(f"/api/classes/{c['code']}/results", headers=bearer(c["teacher_token"]))
    assert r.status_code == 404


def test_expired_class_is_404(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    c = new_class(client)
    later = c["expires_at"] + 1

    class Clock:
        @staticmethod
        def time() -> float:
            return later

    monkeypatch.setattr(state, "time", Clock)
    r = client.post(f"/api/classes/{c['code']}/students", json={})
    assert r.status_code == 404 and r.json()["error"]["code"] == "class_not_found"


def test_qr_code_is_an_svg_of_the_join_link(client: TestClient) -> None:
    c = new_class(client)
    r = client.get(f"/api/classes/{c['code']}/qr.svg")
    assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
    assert r.text.startswith("<svg") and 'class="qr"' in r.text
    assert client.get("/api/classes/ZZZZZZ/qr.svg").status_code == 404


def test_errors_are_in_japanese_too(client: TestClient) -> None:
    r = client.post("/api/classes/ZZZZZZ/students", json={}, headers={"Accept-Language": "ja"})
    assert r.json()["error"]["message"].startswith("このコードの授業はありません")


def test_exercise_kinds_for_the_teacher(client: TestClient) -> None:
    r = client.get("/api/classes/kinds", headers={"Accept-Language": "ja"})
    assert r.json() == [{"id": "out-size", "section": "7.2.3", "title": "OH"}]
