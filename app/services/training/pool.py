"""The bounded pool of training processes of one web worker: at most `workers` runs at once
(each a spawned process, never the event loop or a request thread), at most `queue` waiting
(FIFO, with their position), beyond that 429 training_busy with Retry-After.

A monitor thread waits on the processes' sentinels: when a run's process ends — finished,
stopped, crashed or killed past its wall-clock cap (+ grace) — its slot is freed and the next
queued run starts; a process that ended without a final event gets a `failed` event.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import multiprocessing.connection
import os
import secrets
import threading
import time
from collections import deque
from typing import Any

from app.errors import ApiError
from app.services.training.job import NS, TTL, Caps, run_job

GRACE_S = 10.0  # a run still alive this long after its wall-clock cap is killed
FINAL = {"finished", "stopped", "failed"}


def default_workers(cpus: int | None = None) -> int:
    """One training process per 2 CPUs, at least one."""
    return max(1, (cpus or os.cpu_count() or 1) // 2)


class TrainingPool:
    def __init__(self, store: Any, settings: Any) -> None:
        self.store, self.settings = store, settings
        self.workers = settings.training_workers or default_workers()
        self.max_queue = settings.training_queue
        self.caps = Caps(settings.training_max_steps, settings.training_max_seconds)
        self.running: dict[str, tuple[Any, float]] = {}  # id → (process, start time)
        self.queue: deque[tuple[str, dict[str, Any]]] = deque()
        self.lock = threading.Lock()
        self.ctx = mp.get_context("spawn")
        self._wake_r, self._wake_w = self.ctx.Pipe(duplex=False)
        self._closed = False
        self._monitor = threading.Thread(target=self._watch, daemon=True, name="training-pool")
        self._monitor.start()

    # ---- requests ----------------------------------------------------------------------------
    def submit(self, spec: dict[str, Any]) -> tuple[str, int]:
        """Start or queue a run; (id, position: 0 running, n ≥ 1 queued); 429 when full."""
        run_id = secrets.token_urlsafe(9)
        with self.lock:
            if len(self.running) < self.workers:
                self._emit(run_id, "queued", position=0)  # the stream exists from now on
                self._start(run_id, spec)
                return run_id, 0
            if len(self.queue) >= self.max_queue:
                retry = max(1, int(self.caps.max_seconds // max(1, self.workers)))
                raise ApiError("training_busy", limit=self.workers + self.max_queue,
                               headers={"Retry-After": str(retry)}, retry_after_s=retry)
            self.queue.append((run_id, spec))
            position = len(self.queue)
        self._emit(run_id, "queued", position=position)
        return run_id, position

    def stop(self, run_id: str) -> bool:
        """Ask a run to stop (a queued one is dropped at once); False when unknown here."""
        with self.lock:
            queued = next((q for q in self.queue if q[0] == run_id), None)
            if queued is not None:
                self.queue.remove(queued)
        if queued is not None:
            self._emit(run_id, "stopped", reason="request", step=0)
            self._positions()
            return True
        self.store.put(NS, f"{run_id}:control", b"stop", ttl=TTL)
        return run_id in self.running

    def control(self, run_id: str, command: str) -> None:
        """pause | run (resume), read by the run's process after every batch."""
        self.store.put(NS, f"{run_id}:control", command.encode(), ttl=TTL)

    def close(self) -> None:
        """Kill the runs still going (server shutdown)."""
        self._closed = True
        self._wake_w.send(b"")
        with self.lock:
            procs = [p for p, _ in self.running.values()]
        for p in procs:
            p.kill()
            p.join(5)

    # ---- the monitor -------------------------------------------------------------------------
    def _start(self, run_id: str, spec: dict[str, Any]) -> None:
        cfg = {"data_dir": str(self.settings.data_dir), "redis_url": self.settings.redis_url,
               "dataset_dirs": self.settings.dataset_dirs}
        p = self.ctx.Process(target=run_job, args=(run_id, spec, cfg, self.caps), daemon=True,
                             name=f"convscope-training-{run_id}")
        p.start()
        self.running[run_id] = (p, time.monotonic())
        if hasattr(self, "_wake_w"):
            self._wake_w.send(b"")

    def _emit(self, run_id: str, kind: str, **data: Any) -> None:
        self.store.append(f"{NS}:{run_id}", json.dumps({"type": kind, **data}).encode(), ttl=TTL)
        if kind in FINAL:
            self.store.put(NS, f"{run_id}:status", kind.encode(), ttl=TTL)

    def _positions(self) -> None:
        with self.lock:
            waiting = [r for r, _ in self.queue]
        for i, r in enumerate(waiting, 1):
            self._emit(r, "queued", position=i)

    def _watch(self) -> None:
        while not self._closed:
            with self.lock:
                procs = {p.sentinel: (r, p, t0) for r, (p, t0) in self.running.items()}
            mp.connection.wait([self._wake_r, *procs], timeout=1.0)
            if self._wake_r.poll():
                self._wake_r.recv_bytes()
            now = time.monotonic()
            for _, (run_id, p, t0) in procs.items():
                if p.is_alive() and now - t0 > self.caps.max_seconds + GRACE_S + 60:
                    p.kill()  # a hung run (60 s for start-up and data)
                if not p.is_alive():
                    p.join()
                    self._ended(run_id, p.exitcode)

    def _ended(self, run_id: str, exitcode: int | None) -> None:
        if self.store.get(NS, f"{run_id}:status") is None:
            self._emit(run_id, "failed", reason=f"the worker process ended (exit code {exitcode})")
        with self.lock:
            self.running.pop(run_id, None)
            started = self.queue.popleft() if self.queue and not self._closed else None
            if started is not None:
                self._start(*started)
        if started is not None:
            self._positions()
