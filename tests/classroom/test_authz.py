"""Who may do what: a student token cannot act as the teacher, read answers or results, or see
the teacher link; no token is 401, another class's token is 403."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.classroom.conftest import bearer, join, new_class

TEACHER_ACTIONS = [
    ("post", "scene", {"scene": {"tab": "lab"}}),
    ("post", "lock", {"locked": True}),
    ("post", "exercise", {"kind": "out-size", "seed": 1}),
    ("post", "reveal", None),
    ("get", "results", None),
    ("get", "results?format=csv", None),
    ("delete", "", None),
]


def _call(client: TestClient, method: str, code: str, path: str, body: object,
          headers: dict[str, str]) -> int:
    url = f"/api/classes/{code}/{path}".rstrip("/")
    kwargs: dict = {"headers": headers}
    if body is not None:
        kwargs["json"] = body
    return int(client.request(method.upper(), url, **kwargs).status_code)


@pytest.mark.parametrize(("method", "path", "body"), TEACHER_ACTIONS)
def test_a_student_cannot_act_as_the_teacher(client: TestClient, method: str, path: str,
                                             body: object) -> None:
    c = new_class(client)
    student = join(client, c["code"])
    assert _call(client, method, c["code"], path, body, bearer(student)) == 403
    assert _call(client, method, c["code"], path, body, {}) == 401
    other = new_class(client)
    assert _call(client, method, c["code"], path, body, bearer(other["teacher_token"])) == 403
    assert _call(client, method, c["code"], path, body, bearer(c["teacher_token"])) in (
        200, 204, 409)


def test_join_answer_does_not_leak_the_teacher_link(client: TestClient) -> None:
    c = new_class(client)
    r = client.post(f"/api/classes/{c['code']}/students", json={})
    assert c["teacher_token"] not in r.text and "teach" not in r.text
    client.post(f"/api/classes/{c['code']}/exercise", json={"kind": "out-size", "seed": 1},
                headers=bearer(c["teacher_token"]))
    r = client.post(f"/api/classes/{c['code']}/answers", json={"exercise_id": 1, "answer": 3},
                    headers=bearer(r.json()["student_token"]))
    assert r.status_code == 200 and set(r.json()) == {"correct", "mistake", "hint"}
    assert c["teacher_token"] not in r.text


def test_answers_need_a_student_token_of_this_class(client: TestClient) -> None:
    c, other = new_class(client), new_class(client)
    client.post(f"/api/classes/{c['code']}/exercise", json={"kind": "out-size", "seed": 1},
                headers=bearer(c["teacher_token"]))
    foreign = join(client, other["code"])
    body = {"exercise_id": 1, "answer": 4}
    url = f"/api/classes/{c['code']}/answers"
    assert client.post(url, json=body).status_code == 401
    assert client.post(url, json=body, headers=bearer(foreign)).status_code == 403
    assert client.post(url, json=body, headers=bearer(c["teacher_token"])).status_code == 403
    r = client.post(url + f"?token={join(client, c['code'])}", json=body)
    assert r.status_code == 200
