"""A class's state in the shared store, and its event channel.

Store layout (every key expires with the class):
    ns "classes", key CODE                 → the class record (JSON, below)
    ns "class-students:CODE", key sha256   → {"id": n, "nickname"} of one student token
    ns "class-answers:CODE:E", key n       → one student's answer to exercise E
    counters ns "class-count": "CODE:students" (student ids), "CODE:exercises" (exercise ids)
    channel "class:CODE"                   → the events every stream relays (ids 1, 2, 3 …;
                                             store.last gives the newest)

The record: {code, teacher, created_at, expires_at, scene, locked, exercise, exercises,
revealed}; `teacher` is the SHA-256 of the teacher token.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from app.errors import ApiError
from app.store import Store

CLASSES = "classes"
COUNTS = "class-count"
Record = dict[str, Any]


def channel(code: str) -> str:
    return f"class:{code}"


def students_ns(code: str) -> str:
    return f"class-students:{code}"


def answers_ns(code: str, exercise_id: int) -> str:
    return f"class-answers:{code}:{exercise_id}"


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON (what the store keeps and the streams relay)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def ttl_left(record: Record) -> float:
    """Seconds until the class expires (at least 1, so a put never stores a dead key)."""
    return max(1.0, float(record["expires_at"]) - time.time())


def load(store: Store, code: str) -> Record:
    """The live class record; 404 class_not_found when absent, expired or ended."""
    raw = store.get(CLASSES, code)
    if raw is None:
        raise ApiError("class_not_found", field="code")
    record: Record = json.loads(raw)
    if record["expires_at"] <= time.time():
        raise ApiError("class_not_found", field="code")
    return record


def save(store: Store, record: Record) -> None:
    store.put(CLASSES, record["code"], dumps(record), ttl=ttl_left(record))


def modify(store: Store, record: Record, change: Callable[[Record], None]) -> Record:
    """The class record as stored now, changed by `change` and saved in one atomic step; the
    new record. A scene sent while an exercise is launched used to save a record read before
    the launch, and the exercise was lost (students' answers: 409 no_exercise). 404 when the
    class is gone."""
    fresh: list[Record] = []

    def apply(raw: bytes) -> bytes:
        current: Record = json.loads(raw)
        change(current)
        fresh.append(current)
        return dumps(current)

    if store.update(CLASSES, record["code"], apply, ttl=ttl_left(record)) is None:
        raise ApiError("class_not_found", field="code")
    return fresh[-1]


def publish(store: Store, record: Record, event: dict[str, Any], *, teacher_only: bool = False
            ) -> int:
    """Append one event to the class channel; returns its id (the store keeps the last)."""
    if teacher_only:
        event = {**event, "to": "teacher"}
    ttl = ttl_left(record)
    return store.append(channel(record["code"]), dumps(event), ttl=ttl)


def last_event(store: Store, code: str) -> int:
    """The id of the newest event published (0 before the first): where a fresh stream starts.
    A stream starting a little early only sees an event twice (events are idempotent)."""
    return store.last(channel(code))


def snapshot(record: Record, *, teacher: bool, students: int) -> dict[str, Any]:
    """What a fresh stream starts with: the current scene, lock, exercise (and, for the teacher,
    the number of students)."""
    state: dict[str, Any] = {"type": "state", "code": record["code"], "scene": record["scene"],
                             "locked": record["locked"], "exercise": record["exercise"],
                             "revealed": record["revealed"], "expires_at": record["expires_at"]}
    if teacher:
        state["students"] = students
    return state
