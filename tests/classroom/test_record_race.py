"""Teacher actions change the class record atomically (issue 13's bench: a scene sent while an
exercise was launched saved a record read before the launch; the exercise was lost and the
students' answers were refused with 409 no_exercise)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from app.config import Settings
from app.errors import ApiError
from app.services.classroom import service, state
from app.store import Store


def test_a_scene_from_a_stale_record_keeps_the_launched_exercise(
        store: Store, settings: Settings) -> None:
    record, _ = service.create(store, settings)
    stale = state.load(store, record["code"])  # the scene request read the record here …
    exercise = service.launch(store, state.load(store, record["code"]), "out-size", 3)
    service.set_scene(store, settings, stale, {"tab": "lab"}, 13)  # … and saves after the launch
    service.set_lock(store, stale, True)
    now = state.load(store, record["code"])
    assert now["exercise"] == exercise and now["exercises"] == [
        {"id": exercise["id"], "kind": "out-size", "seed": 3}]
    assert now["scene"] == {"tab": "lab"} and now["locked"] is True


def test_reveal_reads_the_current_exercise(store: Store, settings: Settings) -> None:
    record, _ = service.create(store, settings)
    stale = state.load(store, record["code"])  # before any exercise
    exercise = service.launch(store, stale, "out-size", 4)
    revealed = service.reveal(store, stale)
    assert revealed["exercise_id"] == exercise["id"]
    assert state.load(store, record["code"])["revealed"]["exercise_id"] == exercise["id"]


def test_reveal_without_exercise_writes_nothing(store: Store, settings: Settings) -> None:
    record, _ = service.create(store, settings)
    with pytest.raises(ApiError) as err:
        service.reveal(store, record)
    assert err.value.code == "no_exercise"
    assert state.load(store, record["code"])["revealed"] is None


def test_concurrent_scenes_and_launches_lose_no_exercise(store: Store,
                                                         settings: Settings) -> None:
    """20 launches and 20 scenes at once, each from the record read before: every launch is
    kept in the class's list of exercises."""
    record, _ = service.create(store, settings)

    def act(i: int) -> None:
        stale = state.load(store, record["code"])
        if i % 2:
            service.launch(store, stale, "out-size", i)
        else:
            service.set_scene(store, settings, stale, {"n": i}, 8)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(act, range(40)))
    now = state.load(store, record["code"])
    assert sorted(e["id"] for e in now["exercises"]) == list(range(1, 21))
    assert now["exercise"]["id"] in range(1, 21)


def test_a_change_to_an_ended_class_is_404(store: Store, settings: Settings) -> None:
    record, _ = service.create(store, settings)
    service.end(store, record)
    with pytest.raises(ApiError) as err:
        service.set_lock(store, record, True)
    assert err.value.code == "class_not_found"
