"""One client's server-sent event stream of a class, as text chunks (no HTTP types here).

    retry: 1000                      reconnect after 1 s (EventSource does it by itself)
    id: 12 / data: {"type": ...}     one event; a reconnect sends Last-Event-ID: 12 and
                                     receives every event after 12, nothing lost
    : ping                           every `heartbeat_s` on an idle stream (proxies keep it)

A fresh stream (no Last-Event-ID) starts with a "state" event (scene, lock, exercise) whose id
is the channel's newest. Students never see teacher-only events (answers, joins). The stream
ends after the "end" event, or when the class has expired.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator

from app.services.classroom import hub, service
from app.services.classroom.state import CLASSES, Record, channel, last_event, snapshot
from app.store import Store

RETRY_MS = 1000
log = logging.getLogger("uvicorn.error")


def _frame(event_id: int, data: str) -> str:
    return f"id: {event_id}\ndata: {data}\n\n"


async def events(store: Store, record: Record, *, teacher: bool, after: int | None,
                 heartbeat_s: float) -> AsyncIterator[str]:
    """SSE chunks for one client: catch-up after `after` (or a snapshot), then live events from
    this worker's shared feed of the channel (hub: one store reader, frames built once)."""
    code = record["code"]
    yield f"retry: {RETRY_MS}\n\n"
    if after is None:
        after = last_event(store, code)
        state = snapshot(record, teacher=teacher,
                         students=service.students(store, code) if teacher else 0)
        yield _frame(after, json.dumps(state, ensure_ascii=False, separators=(",", ":")))
    # subscribed before the catch-up: nothing falls between
    queue = hub.subscribe(store, channel(code), after, teacher=teacher)
    try:
        ready = [hub.item(event_id, raw) for event_id, raw in store.since(channel(code), after)]
        while True:
            chunk, done, after = _batch(ready, teacher, after)
            if chunk:
                yield chunk
            if done:
                return
            try:
                ready = [await asyncio.wait_for(queue.get(), heartbeat_s)]
            except TimeoutError:
                if store.get(CLASSES, code) is None:  # expired (or ended while we missed it)
                    yield _frame(after, '{"type":"end"}')
                    return
                yield ": ping\n\n"
                ready = []
                continue
            while not queue.empty():  # a burst (100 answers): its events in one chunk
                ready.append(queue.get_nowait())
    finally:
        hub.unsubscribe(channel(code), queue)


def _batch(ready: list[hub.Item], teacher: bool, after: int) -> tuple[str, bool, int]:
    """(the frames of `ready` to send as one chunk, stream ends, new last id): one write per
    wake-up of the stream, not one per event."""
    frames: list[str] = []
    for shared in ready:
        if shared is hub.STOPPED:
            return "".join(frames), True, after
        frame, done, after = _send(shared, teacher, after)
        if frame:
            frames.append(frame)
        if done:
            return "".join(frames), True, after
    return "".join(frames), False, after


def _send(shared: hub.Item, teacher: bool, after: int) -> tuple[str, bool, int]:
    """(chunk to send or "", stream ends, new last id) for one event; already-sent ids skipped."""
    if shared.event_id <= after:
        return "", False, after
    if shared.teacher_only and not teacher:
        return "", False, shared.event_id
    return shared.frame, shared.end, shared.event_id
