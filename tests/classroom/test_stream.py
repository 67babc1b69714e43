"""The event stream against a real uvicorn (SQLite): snapshot, fan-out, teacher-only events,
Last-Event-ID catch-up losing nothing, heartbeats, the end; per-address stream slots."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.classroom.sse import Stream, start
from tests.live_server import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("sse")
    srv = start(root / "server.log", {"CONVSCOPE_DATA_DIR": str(root / "data"),
                                      "CONVSCOPE_MAX_SSE_PER_ADDRESS": "3"})
    try:
        yield srv
    finally:
        srv.stop()


def _class(url: str) -> tuple[str, str, str]:
    c = httpx.post(url + "/api/classes").json()
    s = httpx.post(f"{url}/api/classes/{c['code']}/students", json={}).json()
    return c["code"], c["teacher_token"], s["student_token"]


def _scene(url: str, code: str, teacher: str, n: int) -> int:
    r = httpx.post(f"{url}/api/classes/{code}/scene", json={"scene": {"n": n}},
                   headers={"Authorization": f"Bearer {teacher}"})
    assert r.status_code == 200, r.text
    return int(r.json()["event_id"])


def test_snapshot_then_live_scenes_and_no_teacher_events(server: LiveServer) -> None:
    url = server.url
    code, teacher, student = _class(url)
    _scene(url, code, teacher, 0)
    s = Stream(f"{url}/api/classes/{code}/events", student)
    t = Stream(f"{url}/api/classes/{code}/events", teacher)
    try:
        assert s.response.headers["content-type"].startswith("text/event-stream")
        first_id, state = s.next()
        assert state["type"] == "state" and state["scene"] == {"n": 0} and "students" not in state
        assert t.next()[1]["students"] == 1
        httpx.post(f"{url}/api/classes/{code}/students", json={})  # teacher-only "joined"
        sent = _scene(url, code, teacher, 1)
        assert s.next() == (sent, {"type": "scene", "scene": {"n": 1}})
        assert t.next()[1] == {"type": "joined", "students": 2, "to": "teacher"}
        assert t.next() == (sent, {"type": "scene", "scene": {"n": 1}})
        assert sent > first_id
    finally:
        s.close(), t.close()


def test_reconnect_with_last_event_id_loses_nothing(server: LiveServer) -> None:
    url = server.url
    code, teacher, student = _class(url)
    s = Stream(f"{url}/api/classes/{code}/events", student)
    last, _ = s.next()
    s.close()  # offline while the teacher goes on
    sent = [_scene(url, code, teacher, n) for n in range(1, 6)]
    again = Stream(f"{url}/api/classes/{code}/events", student, last_event_id=last)
    try:
        got = again.take(5)
        assert [i for i, _ in got] == sent
        assert [e["scene"]["n"] for _, e in got] == [1, 2, 3, 4, 5]
        sent6 = _scene(url, code, teacher, 6)
        assert again.next() == (sent6, {"type": "scene", "scene": {"n": 6}})
    finally:
        again.close()


def test_idle_stream_gets_heartbeats_and_end_closes_it(server: LiveServer) -> None:
    url = server.url
    code, teacher, student = _class(url)
    s = Stream(f"{url}/api/classes/{code}/events", student)
    try:
        s.next()
        r = httpx.delete(f"{url}/api/classes/{code}",
                         headers={"Authorization": f"Bearer {teacher}"})
        assert r.status_code == 204
        assert s.next()[1] == {"type": "end"}
        with pytest.raises(StopIteration):
            s.next()
    finally:
        s.close()


def test_streams_per_address_at_limit_and_limit_plus_one(server: LiveServer) -> None:
    url = server.url
    code, _, student = _class(url)
    streams = [Stream(f"{url}/api/classes/{code}/events", student) for _ in range(3)]
    try:
        for s in streams:
            assert s.next()[1]["type"] == "state"
        r = httpx.get(f"{url}/api/classes/{code}/events",
                      headers={"Authorization": f"Bearer {student}"})
        assert r.status_code == 429
        assert r.json()["error"]["code"] == "sse_limit" and r.json()["error"]["limit"] == 3
    finally:
        for s in streams:
            s.close()


def test_stream_needs_a_token_of_this_class(server: LiveServer) -> None:
    url = server.url
    code, _, _ = _class(url)
    _, other_teacher, other_student = _class(url)
    assert httpx.get(f"{url}/api/classes/{code}/events").status_code == 401
    for token in (other_teacher, other_student, "x" * 32):
        r = httpx.get(f"{url}/api/classes/{code}/events?token={token}")
        assert r.status_code == 403
