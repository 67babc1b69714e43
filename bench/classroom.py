"""Classroom load on loopback: 1 teacher + N students on event streams against gunicorn
(CONVSCOPE_WORKERS, default 2) on SQLite or Redis; bounded in time.

    python -m bench.classroom [--backend sqlite|redis|both] [--students 100] [--scenes 10]
                              [--exercises 5] [--deadline 240]

The teacher sends a scene every 2 s (`sent_at` inside it) and launches the exercises; every
student answers each. Reported: fan-out latency (scene POST start → receipt on each student
stream; one clock, one machine), answer → dashboard latency (the k-th answer event on the teacher's
stream against the k-th answer POST started), server RSS (all processes) at
start, after joining, at the end; errors (any non-2xx or a missed event).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import ssl
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from tests.live_server import launch

KIND_SEEDS = [(None, s) for s in range(1, 6)]


def rss_mb(pid: int) -> float:
    """Resident memory of pid and its children (gunicorn workers), MiB."""
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], check=False,
                                                   capture_output=True, text=True).stdout.split()]
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by pid and its children (gunicorn workers)."""
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], check=False,
                                                   capture_output=True, text=True).stdout.split()]
    ticks = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (FileNotFoundError, IndexError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def own_cpu_s() -> float:
    """CPU seconds (user + system) of this bench process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _client(tls: ssl.SSLContext) -> httpx.AsyncClient:
    """A client with a pool of at most 4 connections (plain HTTP on loopback; `tls` shared)."""
    return httpx.AsyncClient(timeout=httpx.Timeout(30.0), verify=tls,
                             limits=httpx.Limits(max_connections=4))


class Student:
    def __init__(self, token: str, client: httpx.AsyncClient) -> None:
        self.token, self.scenes, self.exercises = token, {}, asyncio.Queue()  # type: ignore[var-annotated]
        self.client = client
        self.ready = asyncio.Event()  # set on the stream's first event (the snapshot)

    async def listen(self, url: str, stats: dict[str, Any]) -> None:
        try:
            await self._listen(self.client, url, stats)
        except (httpx.HTTPError, asyncio.CancelledError) as err:
            if not stats.get("done"):
                stats["errors"].append(f"stream {type(err).__name__}")

    async def _listen(self, client: httpx.AsyncClient, url: str, stats: dict[str, Any]) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with client.stream("GET", url, headers=headers) as r:
            if r.status_code != 200:
                stats["errors"].append(f"stream {r.status_code}")
                return
            async for line in r.aiter_lines():
                if not line.startswith("data: "):
                    continue
                event = json.loads(line[6:])
                now = time.time()
                if event["type"] == "state":
                    self.ready.set()
                    if event.get("exercise"):  # launched before this stream was connected
                        await self.exercises.put(event["exercise"])
                elif event["type"] == "scene":
                    stats["fanout"].append(now - event["scene"]["sent_at"])
                    self.scenes[event["scene"]["n"]] = now
                elif event["type"] == "exercise":
                    await self.exercises.put(event["exercise"])
                elif event["type"] == "end":
                    return
        if not stats.get("done"):
            stats["errors"].append("stream closed by the server before the end")


async def run(base: str, n_students: int, n_scenes: int, pid: int, stats: dict[str, Any]
              ) -> dict[str, Any]:
    """Fills `stats` as it goes (so that a deadline still reports what was measured)."""
    from app.services import exercises as ex_api

    # One small client per student (its stream and its answers) and one for the teacher's
    # stream: with one client of 220 connections, httpcore's pool scanned every connection for
    # every request (3 million is_idle calls in a run), and the bench client, not the server,
    # was the busiest process of each burst. One TLS context for all (loading it costs 0.3 s).
    tls = ssl.create_default_context()
    async with contextlib.AsyncExitStack() as own:
        client = await own.enter_async_context(_client(tls))
        stats["rss"]["start"] = rss_mb(pid)
        c = (await client.post(base + "/api/classes")).json()
        code, teacher = c["code"], {"Authorization": f"Bearer {c['teacher_token']}"}
        events = f"{base}/api/classes/{code}/events"
        joined = [await client.post(f"{base}/api/classes/{code}/students", json={})
                  for _ in range(n_students)]
        students = [Student(r.json()["student_token"],
                            await own.enter_async_context(_client(tls))) for r in joined]
        stats["students"] = students
        tasks = [asyncio.create_task(s.listen(events, stats)) for s in students]
        answer_posts: list[float] = []
        dash = asyncio.create_task(teacher_stream(await own.enter_async_context(_client(tls)),
                                                  events, c["teacher_token"], stats,
                                                  answer_posts))
        # every stream connected (its snapshot received) before the first scene: under load,
        # 100 connections take longer than a fixed warm-up, and a late stream only gets the
        # snapshot (the earlier bench ignored it: the "students who never got the exercise")
        await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in students)), 60)
        stats["rss"]["joined"] = rss_mb(pid)
        kind = ex_api.list_kinds("en")[0]["id"]

        async def scenes() -> None:
            for n in range(n_scenes):
                scene = {"tab": "lab", "kernel": "sobel-x", "n": n, "sent_at": time.time()}
                r = await client.post(f"{base}/api/classes/{code}/scene", json={"scene": scene},
                                      headers=teacher)
                if r.status_code != 200:
                    stats["errors"].append(f"scene {r.status_code}")
                await asyncio.sleep(2.0)

        async def answer(s: Student, right: Any) -> None:
            exercise = await asyncio.wait_for(s.exercises.get(), 30)
            value = right if hash(s.token) % 2 else 0
            started = time.time()
            answer_posts.append(started)
            r = await s.client.post(f"{base}/api/classes/{code}/answers",
                                    json={"exercise_id": exercise["id"], "answer": value},
                                    headers={"Authorization": f"Bearer {s.token}"})
            stats["post"].append(time.time() - started)
            if r.status_code != 200:
                stats["errors"].append(f"answer {r.status_code} {r.text[:80]}")

        async def quiz() -> None:
            for _, seed in KIND_SEEDS:
                right = ex_api.solution_of(kind, ex_api.problem(kind, seed), "en")["answer"]
                t0, client0, server0 = time.monotonic(), own_cpu_s(), cpu_s(pid)
                r = await client.post(f"{base}/api/classes/{code}/exercise",
                                      json={"kind": kind, "seed": seed}, headers=teacher)
                if r.status_code != 200:
                    stats["errors"].append(f"exercise {r.status_code}")
                await asyncio.gather(*(answer(s, right) for s in students))
                stats["bursts"].append((time.monotonic() - t0, own_cpu_s() - client0,
                                        cpu_s(pid) - server0))
                await asyncio.sleep(1.0)

        await asyncio.gather(scenes(), quiz())
        await asyncio.sleep(1.0)
        missed = sum(n_scenes - len(s.scenes) for s in students)
        if missed:
            stats["errors"].append(f"{missed} scene events missed")
        stats["done"] = True
        await client.delete(f"{base}/api/classes/{code}", headers=teacher)
        await asyncio.wait_for(asyncio.gather(*tasks, dash, return_exceptions=True), 30)
        stats["rss"]["end"] = rss_mb(pid)
    return stats


async def teacher_stream(client: httpx.AsyncClient, url: str, token: str,
                         stats: dict[str, Any], answer_posts: list[float]) -> None:
    seen = 0
    async with client.stream("GET", url, headers={"Authorization": f"Bearer {token}"}) as r:
        async for line in r.aiter_lines():
            if not line.startswith("data: "):
                continue
            event = json.loads(line[6:])
            if event["type"] == "answer":
                now = time.time()
                seen += 1
                # the k-th answer event against the k-th answer POST started
                starts = sorted(answer_posts)
                if seen <= len(starts):
                    stats["dash"].append(now - starts[seen - 1])
            elif event["type"] == "end":
                return


def one(backend: str, students: int, scenes: int, deadline: float) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="convscope-bench-classroom-"))
    env = {"CONVSCOPE_WORKERS": os.environ.get("CONVSCOPE_WORKERS", "2"),
           "CONVSCOPE_DATA_DIR": str(tmp / "data"), "CONVSCOPE_REDIS_URL": "",
           "CONVSCOPE_ACCESS_LOG": ""}
    redis_proc = None
    if backend == "redis":
        from tests.live_server import free_port

        port = free_port()
        redis_proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind",
                                       "127.0.0.1", "--save", "", "--appendonly", "no"],
                                      stdout=subprocess.DEVNULL)
        env["CONVSCOPE_REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
        time.sleep(0.5)
    server = launch("gunicorn", tmp / "server.log", env=env)
    print(f"  server log: {tmp / 'server.log'}", flush=True)
    try:
        server.wait_healthy(60)
        t0, client0, server0 = time.monotonic(), own_cpu_s(), cpu_s(server.proc.pid)
        stats: dict[str, Any] = {"fanout": [], "dash": [], "post": [], "bursts": [],
                                 "errors": [], "rss": {}}
        try:
            asyncio.run(asyncio.wait_for(run(server.url, students, scenes, server.proc.pid,
                                             stats), deadline))
        except TimeoutError:
            stats["errors"].append(f"deadline of {deadline:.0f} s reached: partial figures")
        stats["rss"].setdefault("end", rss_mb(server.proc.pid))
        wall = time.monotonic() - t0
        client_cpu, server_cpu = own_cpu_s() - client0, cpu_s(server.proc.pid) - server0
        f, d = stats["fanout"], stats["dash"]
        print(f"[{backend}] {students} students, {scenes} scenes, 5 exercises, "
              f"{time.monotonic() - t0:.0f} s")
        print(f"  fan-out   n={len(f)} p50={pct(f, .5) * 1e3:.0f} ms "
              f"p95={pct(f, .95) * 1e3:.0f} ms max={max(f, default=0) * 1e3:.0f} ms")
        print(f"  dashboard n={len(d)} p50={pct(d, .5) * 1e3:.0f} ms "
              f"p95={pct(d, .95) * 1e3:.0f} ms max={max(d, default=0) * 1e3:.0f} ms")
        po = stats["post"]
        print(f"  answer POST n={len(po)} p50={pct(po, .5) * 1e3:.0f} ms "
              f"p95={pct(po, .95) * 1e3:.0f} ms max={max(po, default=0) * 1e3:.0f} ms "
              "(request start → response)")
        for i, (wall_b, client_b, server_b) in enumerate(stats["bursts"]):
            print(f"  burst {i + 1}: launch → last answer response {wall_b * 1e3:.0f} ms; CPU "
                  f"bench client {client_b * 1e3:.0f} ms, server {server_b * 1e3:.0f} ms")
        rss = stats["rss"]
        print(f"  RSS MiB   start={rss.get('start', 0):.0f} joined={rss.get('joined', 0):.0f} "
              f"end={rss.get('end', 0):.0f}")
        got = [len(st.scenes) for st in stats.get("students", [])]
        if got and min(got) < scenes:
            print(f"  scenes received per student: min {min(got)}, "
                  f"{sum(g < scenes for g in got)} students missed some")
        print(f"  errors    {len(stats['errors'])} {sorted(set(stats['errors']))[:5]}")
        print(f"  CPU s     bench client {client_cpu:.1f} ({client_cpu / wall:.0%} of one core), "
              f"server {server_cpu:.1f} ({server_cpu / wall:.0%}), wall {wall:.0f} s")
        print(f"  load average {os.getloadavg()[0]:.1f} (2 cores shared)")
        if f:
            print(f"  (mean fan-out {statistics.mean(f) * 1e3:.0f} ms)")
    finally:
        server.stop()
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(10)
        if os.environ.get("KEEP_BENCH_DIR") is None:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", choices=["sqlite", "redis", "both"], default="both")
    p.add_argument("--students", type=int, default=100)
    p.add_argument("--scenes", type=int, default=10)
    p.add_argument("--deadline", type=float, default=240.0, help="seconds per backend")
    a = p.parse_args()
    for backend in (["sqlite", "redis"] if a.backend == "both" else [a.backend]):
        one(backend, a.students, a.scenes, a.deadline)


if __name__ == "__main__":
    main()
