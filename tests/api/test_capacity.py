"""Overload: bounded CPU pool → 503 with Retry-After; per-request time limit → 504; BLAS pinned.

Slots are held by functions blocked on threading.Events (no sleeps as synchronisation)."""

from __future__ import annotations

import asyncio
import threading

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api.capacity import CpuLimiter
from app.api.routes import convolve as service  # the route's reference to the service
from app.errors import ApiError
from tests import aio
from tests.api.helpers import SLIDE7_INPUT, SLIDE_KERNEL

BODY = {"input": SLIDE7_INPUT, "spec": {"kernel": SLIDE_KERNEL}}


def test_503_when_every_slot_is_taken(app: FastAPI, client: TestClient) -> None:
    limiter = app.state.cpu = CpuLimiter(workers=1, queue=1, timeout_s=60, retry_after_s=3)
    started, release = threading.Event(), threading.Event()

    def hold() -> str:
        started.set()
        release.wait(30)
        return "done"

    running = client.portal.start_task_soon(limiter.run, hold)
    assert started.wait(10)
    queued = client.portal.start_task_soon(limiter.run, release.wait, 30)
    client.portal.call(asyncio.sleep, 0)  # let the queued task take its slot (no wall-clock wait)
    assert limiter.admitted == limiter.capacity == 2
    r = client.post("/api/convolve", json=BODY)
    assert r.status_code == 503 and r.headers["retry-after"] == "3"
    assert r.json()["error"] | {"message": ""} == {"code": "overloaded", "field": None,
                                                   "limit": 2, "message": ""}
    r = client.post("/api/convolve", json=BODY, headers={"accept-language": "ja"})
    assert "混み合って" in r.json()["error"]["message"]
    release.set()
    assert running.result(10) == "done" and queued.result(10) is True
    assert limiter.admitted == 0
    r = client.post("/api/convolve", json=BODY)
    assert r.status_code == 200 and r.json()["output"] == [[[[15, 16], [6, 15]]]]


def test_504_when_the_work_runs_past_the_time_limit(app: FastAPI, client: TestClient,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    limiter = app.state.cpu = CpuLimiter(workers=1, queue=0, timeout_s=0.05, retry_after_s=1)
    release = threading.Event()
    finished = threading.Event()
    original = service.convolve_payload

    def slow(*args: object):
        release.wait(30)
        try:
            return original(*args)
        finally:
            finished.set()

    monkeypatch.setattr(service, "convolve_payload", slow)
    r = client.post("/api/convolve", json=BODY)
    assert r.status_code == 504 and r.json()["error"]["code"] == "timeout"
    assert limiter.admitted == 1  # the thread still runs: its slot stays taken (bounded pool)
    assert client.post("/api/convolve", json=BODY).status_code == 503
    release.set()
    assert finished.wait(10)
    # one worker: a no-op queued behind the slow call runs after its done-callback freed the slot
    limiter._pool.submit(int).result(10)
    assert limiter.admitted == 0
    monkeypatch.setattr(service, "convolve_payload", original)
    assert client.post("/api/convolve", json=BODY).status_code == 200


def test_limiter_unit() -> None:
    limiter = CpuLimiter(workers=1, queue=0, timeout_s=30, retry_after_s=2)
    gate = threading.Event()

    async def scenario() -> None:
        task = asyncio.create_task(limiter.run(gate.wait, 30))
        await asyncio.sleep(0)
        with pytest.raises(ApiError) as e:
            await limiter.run(int, "1")
        assert e.value.status == 503 and e.value.headers == {"Retry-After": "2"}
        gate.set()
        assert await task is True
        assert await limiter.run(int, "7") == 7

    aio.run(scenario())
    limiter.shutdown()


def test_blas_is_pinned_to_one_thread(client: TestClient) -> None:
    from threadpoolctl import threadpool_info

    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    assert blas and all(i["num_threads"] == 1 for i in blas)


def test_json_bodies_are_parsed_in_the_cpu_pool(client: TestClient,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Validating up to 10 MiB of JSON is CPU work: it must not run on the event loop."""
    from app.api import body as convolve_route  # the module that reads the JSON body
    from app.schemas import ConvolveRequest

    threads: list[str] = []

    class Spy(ConvolveRequest):
        @classmethod
        def model_validate_json(cls, *args: object, **kwargs: object) -> ConvolveRequest:  # type: ignore[override]
            threads.append(threading.current_thread().name)
            return ConvolveRequest.model_validate_json(*args, **kwargs)  # type: ignore[arg-type]

        @classmethod
        def model_validate(cls, *args: object, **kwargs: object) -> ConvolveRequest:  # type: ignore[override]
            threads.append(threading.current_thread().name)  # app.api.json_guard's lean path
            return ConvolveRequest.model_validate(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(convolve_route, "ConvolveRequest", Spy)
    r = client.post("/api/convolve", json=BODY)
    assert r.status_code == 200 and r.json()["output"] == [[[[15, 16], [6, 15]]]]
    assert len(threads) == 1 and threads[0].startswith("convscope-cpu")
