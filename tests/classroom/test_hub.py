"""100 streams of one class in one event loop, on SQLite and on Redis: every stream gets every
event (the Redis stall of issue 13: about 25 of 100 students never got the exercise), through one
shared feed per channel (one store reader, not one per stream)."""

from __future__ import annotations

import asyncio
import json

from app.services.classroom import hub, state
from app.services.classroom.stream import events
from app.store import Store
from tests.aio import run

N = 100


def _record(store: Store) -> state.Record:
    record: state.Record = {"code": "ABCDEF", "teacher": "x", "created_at": 0.0,
                            "expires_at": 4e9, "scene": None, "locked": False,
                            "exercise": None, "exercises": [], "revealed": None}
    state.save(store, record)
    return record


async def _class_of_100(store: Store) -> tuple[list[list[dict[str, object]]], int]:
    record = _record(store)
    got: list[list[dict[str, object]]] = [[] for _ in range(N + 1)]

    async def listen(i: int) -> None:
        async for chunk in events(store, record, teacher=i == N, after=None, heartbeat_s=30):
            for frame in chunk.split("\n\n"):  # a chunk may carry several events
                if frame.startswith("id:"):
                    got[i].append(json.loads(frame.split("data: ", 1)[1]))
            if got[i] and got[i][-1].get("type") == "end":
                return

    tasks = [asyncio.create_task(listen(i)) for i in range(N + 1)]
    while hub.subscribers(state.channel("ABCDEF")) < N + 1:
        await asyncio.sleep(0.01)
    feeds = hub.subscribers(state.channel("ABCDEF"))
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, state.publish, store, record,
                               {"type": "exercise", "exercise": {"id": 1}})
    await loop.run_in_executor(None, lambda: state.publish(
        store, record, {"type": "answer", "exercise_id": 1}, teacher_only=True))
    await loop.run_in_executor(None, state.publish, store, record, {"type": "end"})
    await asyncio.wait_for(asyncio.gather(*tasks), 20)
    return got, feeds


def test_100_streams_on_one_channel_all_get_every_event(store: Store) -> None:
    got, subscribed = run(_class_of_100(store))
    assert subscribed == N + 1
    for i in range(N):
        assert [e["type"] for e in got[i]] == ["state", "exercise", "end"], i
    assert [e["type"] for e in got[N]] == ["state", "exercise", "answer", "end"]


async def _waiters(store: Store) -> list[list[tuple[int, bytes]]]:
    async def later() -> None:
        await asyncio.sleep(0.3)
        await asyncio.get_running_loop().run_in_executor(None, store.append, "c", b"e")
    waits = [store.wait("c", 0, 20) for _ in range(N)]
    *results, _ = await asyncio.wait_for(asyncio.gather(*waits, later()), 25)
    return list(results)


def test_100_concurrent_store_waiters_on_one_channel_all_get_the_event(store: Store) -> None:
    results = run(_waiters(store))
    assert results == [[(1, b"e")]] * N


async def _one_teacher_one_student(store: Store) -> tuple[list[int], list[int]]:
    record = _record(store)
    name = state.channel("ABCDEF")
    after = store.last(name)
    student = hub.subscribe(store, name, after, teacher=False)
    teacher = hub.subscribe(store, name, after, teacher=True)
    loop = asyncio.get_running_loop()
    for i in range(3):
        await loop.run_in_executor(None, lambda i=i: state.publish(
            store, record, {"type": "answer", "exercise_id": i}, teacher_only=True))
    end = await loop.run_in_executor(None, state.publish, store, record, {"type": "end"})

    async def drain(queue: asyncio.Queue[hub.Item]) -> list[int]:
        ids = []
        while not ids or ids[-1] != end:
            ids.append((await asyncio.wait_for(queue.get(), 10)).event_id)
        return ids

    got = await drain(student), await drain(teacher)
    hub.unsubscribe(name, student)
    hub.unsubscribe(name, teacher)
    return got


def test_teacher_only_events_never_reach_a_student_queue(store: Store) -> None:
    """A student's queue gets the end event only: it never wakes for the 3 answers."""
    student, teacher = run(_one_teacher_one_student(store))
    assert len(student) == 1
    assert len(teacher) == 4 and teacher[-1] == student[0]


async def _burst_in_one_chunk(store: Store) -> list[str]:
    record = _record(store)
    stream = events(store, record, teacher=True, after=None, heartbeat_s=30)
    chunks = [await anext(stream), await anext(stream)]  # retry:, then the snapshot
    for i in range(5):  # a burst of answers while the stream is busy elsewhere
        state.publish(store, record, {"type": "answer", "exercise_id": i}, teacher_only=True)
    chunks.append(await asyncio.wait_for(anext(stream), 10))
    state.publish(store, record, {"type": "end"})
    chunks += [chunk async for chunk in stream]
    return chunks


def test_a_burst_of_events_is_one_chunk(store: Store) -> None:
    """Events that are ready together go out in one chunk (one write), in order, complete."""
    chunks = run(_burst_in_one_chunk(store))
    assert chunks[0].startswith("retry:") and '"type":"state"' in chunks[1]
    burst = chunks[2].split("\n\n")
    assert burst[-1] == "" and len(burst) == 6
    assert [json.loads(f.split("data: ", 1)[1])["exercise_id"] for f in burst[:-1]] == [
        0, 1, 2, 3, 4]
    assert [int(f.split("\n", 1)[0][4:]) for f in burst[:-1]] == [1, 2, 3, 4, 5]
    assert chunks[3:] == ['id: 6\ndata: {"type":"end"}\n\n']
