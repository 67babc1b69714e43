"""The classroom's actions: create, join, authorise, scene, lock, exercise, reveal, answer, end.

Every function takes the shared store and the settings; nothing is kept in the process, so any
worker (or replica, on Redis) can serve any request of any class.
"""

from __future__ import annotations

import json
import time
from typing import Any

from app.config import Settings
from app.errors import ApiError
from app.services.classroom import codes, exercises
from app.services.classroom.state import (
    CLASSES,
    COUNTS,
    Record,
    answers_ns,
    dumps,
    load,
    modify,
    publish,
    save,
    students_ns,
    ttl_left,
)
from app.store import Store

MAX_ANSWER_BYTES = 4096  # one answer's JSON; exercises' answers are a few numbers
CODE_ATTEMPTS = 20  # new random codes tried before giving up (8.9e8 codes: never in practice)


def live_classes(store: Store) -> int:
    """Number of classes not yet expired or ended."""
    now = time.time()
    live = 0
    for code in store.keys(CLASSES):
        raw = store.get(CLASSES, code)
        live += raw is not None and json.loads(raw)["expires_at"] > now
    return live


def create(store: Store, settings: Settings) -> tuple[Record, str]:
    """A new class and its teacher token (returned once; only its hash is stored).
    429 class_limit when `max_classes` classes are live."""
    if live_classes(store) >= settings.max_classes:
        raise ApiError("class_limit", limit=settings.max_classes)
    for _ in range(CODE_ATTEMPTS):
        code = codes.new_code()
        if store.get(CLASSES, code) is None:
            break
    else:  # pragma: no cover - 20 collisions in 8.9e8 codes
        raise ApiError("class_limit", limit=settings.max_classes)
    token, now = codes.new_token(), time.time()
    record: Record = {"code": code, "teacher": codes.token_hash(token), "created_at": now,
                      "expires_at": now + settings.class_ttl_s, "scene": None, "locked": False,
                      "exercise": None, "exercises": [], "revealed": None}
    save(store, record)
    return record, token


def load_public(store: Store, code: str) -> Record:
    """The live class of a join code (for public things: its QR code); 404 otherwise."""
    return load(store, codes.normalise_code(code))


def teacher(store: Store, code: str, token: str | None) -> Record:
    """The class record if `token` is its teacher token; 401 / 403 otherwise."""
    record = load(store, codes.normalise_code(code))
    if not token:
        raise ApiError("class_unauthorized", field="Authorization")
    if not codes.token_matches(token, record["teacher"]):
        raise ApiError("class_forbidden", field="Authorization")
    return record


def student(store: Store, code: str, token: str | None) -> tuple[Record, dict[str, Any]]:
    """(class record, student {"id", "nickname"}) for a student token; 401 / 403 otherwise."""
    record = load(store, codes.normalise_code(code))
    if not token:
        raise ApiError("class_unauthorized", field="token")
    raw = store.get(students_ns(record["code"]), codes.token_hash(token))
    if raw is None:
        raise ApiError("class_forbidden", field="token")
    return record, json.loads(raw)


def join(store: Store, settings: Settings, code: str, nickname: str | None
         ) -> tuple[Record, str, dict[str, Any]]:
    """A new anonymous student: (record, student token, {"id", "nickname"}).
    409 class_full past `max_students`; 422 nickname_invalid."""
    record = load(store, codes.normalise_code(code))
    name = codes.clean_nickname(nickname, settings.nickname_max_chars)
    number = store.incr(COUNTS, f"{record['code']}:students", ttl=ttl_left(record))
    if number > settings.max_students:
        raise ApiError("class_full", limit=settings.max_students)
    token, who = codes.new_token(), {"id": number, "nickname": name}
    store.put(students_ns(record["code"]), codes.token_hash(token), dumps(who),
              ttl=ttl_left(record))
    publish(store, record, {"type": "joined", "students": number}, teacher_only=True)
    return record, token, who


def students(store: Store, code: str) -> int:
    """Students who joined so far."""
    return len(store.keys(students_ns(code)))


def set_scene(store: Store, settings: Settings, record: Record, scene: dict[str, Any],
              size: int) -> int:
    """Store and broadcast the teacher's scene (`size`: its JSON bytes, checked here)."""
    if size > settings.max_scene_bytes:
        raise ApiError("scene_too_large", field="scene", limit=settings.max_scene_bytes,
                       size=size)
    record = modify(store, record, lambda r: r.update(scene=scene))
    return publish(store, record, {"type": "scene", "scene": scene})


def set_lock(store: Store, record: Record, locked: bool) -> int:
    """Lock or unlock every student's controls ("eyes on the projector")."""
    record = modify(store, record, lambda r: r.update(locked=locked))
    return publish(store, record, {"type": "lock", "locked": locked})


def launch(store: Store, record: Record, kind: str, seed: int) -> dict[str, Any]:
    """Launch an exercise (the exercises API's kind and seed) to the class; its public form."""
    question = exercises.questions(kind, seed)
    number = store.incr(COUNTS, f"{record['code']}:exercises", ttl=ttl_left(record))
    exercise = {"id": number, "kind": kind, "seed": seed, "question": question}

    def change(r: Record) -> None:
        r["exercise"], r["revealed"] = exercise, None
        r["exercises"].append({"id": number, "kind": kind, "seed": seed})

    record = modify(store, record, change)
    publish(store, record, {"type": "exercise", "exercise": exercise})
    return exercise


def reveal(store: Store, record: Record) -> dict[str, Any]:
    """Broadcast the worked solution of the current exercise (en and ja)."""

    def change(r: Record) -> None:
        exercise = r["exercise"]
        if exercise is None:
            raise ApiError("no_exercise", field="exercise")
        solution = exercises.solutions(exercise["kind"], exercise["seed"])
        r["revealed"] = {"exercise_id": exercise["id"], "solution": solution}

    record = modify(store, record, change)
    publish(store, record, {"type": "reveal", **record["revealed"]})
    return dict(record["revealed"])


def now() -> float:
    """The clock the rate limit reads (tests set it)."""
    return time.time()


def _limit_rate(store: Store, key: str, limit: int) -> None:
    """429 answer_rate when this attempt makes more than `limit` in the last minute.

    Sliding window over two minute counters: attempts ≈ previous·(1 − f) + current, f the share
    of the current minute gone, so a burst across a minute boundary counts as one burst.
    """
    t = now()
    minute, f = int(t // 60), (t % 60) / 60
    current = store.incr(COUNTS, f"{key}:{minute}", ttl=120)
    previous = store.count(COUNTS, f"{key}:{minute - 1}")
    if previous * (1 - f) + current > limit:
        wait = 60 - int(t % 60) if current > limit else max(1, int(60 * (1 - f)))
        raise ApiError("answer_rate", limit=limit, headers={"Retry-After": str(wait)})


def answer(store: Store, settings: Settings, record: Record, who: dict[str, Any],
           exercise_id: int, value: Any, lang: str) -> dict[str, Any]:
    """Check and keep one student's answer to the current exercise; tell the teacher.
    429 answer_rate past `answer_rate_per_min` attempts a minute; 409 if answered already or
    the exercise is not the current one."""
    code = record["code"]
    _limit_rate(store, f"{code}:rate:{who['id']}", settings.answer_rate_per_min)
    exercise = record["exercise"]
    if exercise is None or exercise["id"] != exercise_id:
        raise ApiError("no_exercise", field="exercise_id")
    size = len(dumps(value))
    if size > MAX_ANSWER_BYTES:
        raise ApiError("answer_too_large", field="answer", limit=MAX_ANSWER_BYTES, size=size)
    ns = answers_ns(code, exercise_id)
    if store.get(ns, str(who["id"])) is not None:
        raise ApiError("already_answered", field="exercise_id")
    verdict = exercises.verdict(exercise["kind"], exercise["seed"], value)
    entry = {"answer": value, **verdict, "at": time.time()}
    store.put(ns, str(who["id"]), dumps(entry), ttl=ttl_left(record))
    publish(store, record, {"type": "answer", "exercise_id": exercise_id, "answer": value,
                            **verdict}, teacher_only=True)
    hint = verdict["hint"].get(lang) if verdict.get("hint") else None
    return {"correct": verdict["correct"], "hint": hint, "mistake": verdict["mistake"]}


def end(store: Store, record: Record) -> None:
    """End the class: tell every stream, then forget the record (answers expire with the TTL)."""
    publish(store, record, {"type": "end"})
    store.delete(CLASSES, record["code"])
