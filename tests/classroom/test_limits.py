"""Every classroom limit at LIMIT and LIMIT + 1, refused with the catalogue's error shape."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from app.services.classroom import service
from tests.classroom.conftest import bearer, join, new_class


def _error(r: object, status: int, code: str, limit: object) -> None:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    err = r.json()["error"]  # type: ignore[attr-defined]
    assert err["code"] == code and err["limit"] == limit


def test_max_classes(client: TestClient, override: Callable[..., None]) -> None:
    override(max_classes=2)
    new_class(client), new_class(client)
    _error(client.post("/api/classes"), 429, "class_limit", 2)


def test_ended_classes_do_not_count(client: TestClient, override: Callable[..., None]) -> None:
    override(max_classes=1)
    c = new_class(client)
    client.delete(f"/api/classes/{c['code']}", headers=bearer(c["teacher_token"]))
    new_class(client)


def test_students_per_class(client: TestClient, override: Callable[..., None]) -> None:
    override(max_students=3)
    c = new_class(client)
    for _ in range(3):
        join(client, c["code"])
    _error(client.post(f"/api/classes/{c['code']}/students", json={}), 409, "class_full", 3)


def test_defaults() -> None:
    from app.config import Settings

    s = Settings()
    assert (s.max_students, s.class_ttl_s, s.nickname_max_chars) == (200, 43_200.0, 24)


def test_nickname_length(client: TestClient, override: Callable[..., None]) -> None:
    override(nickname_max_chars=5)
    c = new_class(client)
    url = f"/api/classes/{c['code']}/students"
    assert client.post(url, json={"nickname": "はなこさん"}).json()["nickname"] == "はなこさん"
    _error(client.post(url, json={"nickname": "abcdef"}), 422, "nickname_invalid", 5)
    assert client.post(url, json={"nickname": "abcdef"}).json()["error"]["field"] == "nickname"


def test_nickname_characters(client: TestClient) -> None:
    c = new_class(client)
    url = f"/api/classes/{c['code']}/students"
    for bad in ("<b>x</b>", "a\nb", "x@y", "😀", "a\u202eb"):
        _error(client.post(url, json={"nickname": bad}), 422, "nickname_invalid", 24)
    assert client.post(url, json={"nickname": "Ken_2-b.c"}).status_code == 201


def test_scene_size(client: TestClient, override: Callable[..., None]) -> None:
    override(max_scene_bytes=100)
    c = new_class(client)
    url, h = f"/api/classes/{c['code']}/scene", bearer(c["teacher_token"])
    # {"x":"…"} is 8 bytes + the string
    assert client.post(url, json={"scene": {"x": "a" * 92}}, headers=h).status_code == 200
    r = client.post(url, json={"scene": {"x": "a" * 93}}, headers=h)
    _error(r, 413, "scene_too_large", 100)
    assert "101" in r.json()["error"]["message"]


def test_answer_rate(client: TestClient, override: Callable[..., None]) -> None:
    override(answer_rate_per_min=3)
    c = new_class(client)
    t = join(client, c["code"])
    url = f"/api/classes/{c['code']}/answers"
    # attempts count even when refused: 3 allowed (here: no such exercise → 409), the 4th 429
    for _ in range(3):
        r = client.post(url, json={"exercise_id": 9, "answer": 1}, headers=bearer(t))
        assert r.status_code == 409
    r = client.post(url, json={"exercise_id": 9, "answer": 1}, headers=bearer(t))
    _error(r, 429, "answer_rate", 3)
    assert 1 <= int(r.headers["Retry-After"]) <= 60


def test_answer_rate_counts_a_burst_across_a_minute_boundary(
        client: TestClient, override: Callable[..., None], monkeypatch: pytest.MonkeyPatch) -> None:
    """3 attempts at 11:59.9 and one at 12:00.1 are 4 in a fifth of a second: refused, while
    a fixed per-minute window would let 2 × limit through at the boundary."""
    override(answer_rate_per_min=3)
    c = new_class(client)
    t = join(client, c["code"])
    url = f"/api/classes/{c['code']}/answers"
    clock = [60 * 1000 - 0.1]
    monkeypatch.setattr(service, "now", lambda: clock[0])
    for _ in range(3):
        r = client.post(url, json={"exercise_id": 9, "answer": 1}, headers=bearer(t))
        assert r.status_code == 409
    clock[0] = 60 * 1000 + 0.1
    r = client.post(url, json={"exercise_id": 9, "answer": 1}, headers=bearer(t))
    _error(r, 429, "answer_rate", 3)
    assert int(r.headers["Retry-After"]) == 59  # until the burst has left the window
    # a minute later the burst has left the window
    clock[0] = 60 * 1001 + 0.2
    r = client.post(url, json={"exercise_id": 9, "answer": 1}, headers=bearer(t))
    assert r.status_code == 409


def test_answer_size(client: TestClient) -> None:
    c = new_class(client)
    client.post(f"/api/classes/{c['code']}/exercise", json={"kind": "out-size", "seed": 1},
                headers=bearer(c["teacher_token"]))
    url = f"/api/classes/{c['code']}/answers"
    big = "a" * 4095  # JSON "a…" is 4097 bytes
    r = client.post(url, json={"exercise_id": 1, "answer": big[:4094]},
                    headers=bearer(join(client, c["code"])))
    assert r.status_code == 200
    r = client.post(url, json={"exercise_id": 1, "answer": big},
                    headers=bearer(join(client, c["code"])))
    _error(r, 413, "answer_too_large", 4096)
