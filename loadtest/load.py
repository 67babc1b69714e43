"""`make loadtest`: N clients for T seconds against the production server, on loopback only.

Starts gunicorn with app.gunicorn_conf (the image's settings), runs LOAD_CLIENTS (32)
closed-loop clients over the mix in loadtest.mix for LOAD_WARMUP_S (60) seconds of warm-up
(the allocators reach the high-water mark of the admitted concurrency; on this machine that
took 60-90 s), then LOAD_SECONDS (60) measured seconds while sampling the server's RSS (master
+ workers) every second. Prints p50/p99 per request kind, the status counts, the RSS series
and its trend. Exit status 1 when a 5xx other than the documented 503 shedding appeared or an
RSS sample left ±10 % of the measured median.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np

from loadtest.mix import Op, build_mix, chooser
from loadtest.server import ROOT, Server, gunicorn

Sample = tuple[str, int, float]  # (op name, status or 0 for a transport error, seconds)
ERRORS: Counter[str] = Counter()  # transport errors by kind


async def client(http: httpx.AsyncClient, pick: Callable[[], Op], deadline: float,
                 out: list[Sample]) -> None:
    """One student: request after request until the deadline (closed loop, no think time)."""
    while time.monotonic() < deadline:
        op = pick()
        t0 = time.perf_counter()
        try:
            r = await http.request(**op.kwargs)
            status = r.status_code
        except httpx.HTTPError as exc:
            status = 0
            ERRORS[f"{op.name}: {type(exc).__name__}: {exc}"[:160]] += 1
        out.append((op.name, status, time.perf_counter() - t0))


async def sample_rss(server: Server, deadline: float, out: list[tuple[float, int]]) -> None:
    """RSS of the server every second."""
    start = time.monotonic()
    while time.monotonic() < deadline:
        out.append((time.monotonic() - start, server.rss()))
        await asyncio.sleep(1.0)  # the sampling period


async def run(server: Server, clients: int, seconds: float,
              warmup_s: float) -> tuple[list[Sample], list[tuple[float, int]]]:
    """Warm up with the full load for warmup_s, then measure for `seconds`."""
    mix = build_mix(server.url)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as http:
        warm: list[Sample] = []
        deadline = time.monotonic() + warmup_s
        await asyncio.gather(*(client(http, chooser(mix, 1000 + seed), deadline, warm)
                               for seed in range(clients)))
        samples: list[Sample] = []
        rss: list[tuple[float, int]] = []
        deadline = time.monotonic() + seconds
        await asyncio.gather(sample_rss(server, deadline, rss),
                             *(client(http, chooser(mix, seed), deadline, samples)
                               for seed in range(clients)))
    return samples, rss


def report(samples: list[Sample], rss: list[tuple[float, int]], seconds: float) -> bool:
    """Print the tables; True when the run passes."""
    by_op: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[tuple[str, int]] = Counter()
    for name, status, dt in samples:
        statuses[(name, status)] += 1
        if status == 200:
            by_op[name].append(dt)
    print(f"\n{len(samples)} requests in {seconds:.0f} s = {len(samples) / seconds:.1f} req/s")
    print(f"{'request':34} {'n 200':>7} {'p50 ms':>8} {'p99 ms':>8}  other statuses")
    all_ok = [dt for v in by_op.values() for dt in v]
    for name in sorted({s[0] for s in samples}) + ["all"]:
        lat = np.array(all_ok if name == "all" else by_op[name]) * 1000
        other: Counter[int] = Counter()
        for (op, s), n in statuses.items():
            if s != 200 and name in (op, "all"):
                other[s] += n
        p50, p99 = (np.percentile(lat, 50), np.percentile(lat, 99)) if lat.size else (0, 0)
        print(f"{name:34} {lat.size:7d} {p50:8.0f} {p99:8.0f}  {dict(other) or '-'}")
    bad = sum(n for (_, s), n in statuses.items() if s >= 500 and s != 503 or s == 0)
    shed = sum(n for (_, s), n in statuses.items() if s == 503)
    for what, n in ERRORS.items():
        print(f"transport error x{n}: {what}")
    print(f"5xx other than 503 (and transport errors): {bad};  503 shed: {shed} "
          f"({100 * shed / max(1, len(samples)):.1f} %)")
    after = np.array([b for _, b in rss], dtype=float) / 2**20
    if after.size < 2:
        print("RSS: too few samples")
        return False
    ref = float(np.median(after))
    drift = float(np.max(np.abs(after - ref)) / ref)
    slope = float(np.polyfit(np.arange(after.size), after, 1)[0]) * 60
    print("RSS MiB every second: " + " ".join(f"{b:.0f}" for b in after))
    print(f"RSS (master + workers) while measuring: median {ref:.0f} MiB, min {after.min():.0f}, "
          f"max {after.max():.0f}: within {100 * drift:.1f} % of the median; first {after[0]:.0f}"
          f", last {after[-1]:.0f}, trend {slope:+.1f} MiB/min over {after.size} samples")
    return bad == 0 and drift <= 0.10


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=int(os.environ.get("LOAD_CLIENTS", 32)))
    p.add_argument("--seconds", type=float, default=float(os.environ.get("LOAD_SECONDS", 60)))
    p.add_argument("--warmup", type=float, default=float(os.environ.get("LOAD_WARMUP_S", 60)))
    args = p.parse_args()
    log = Path(ROOT, "artifacts", "loadtest", "gunicorn.log")
    with gunicorn(log) as server:
        print(f"loadtest: {args.clients} clients, {args.warmup:.0f} s warm-up then "
              f"{args.seconds:.0f} s measured, against {server.url} "
              f"(gunicorn, {len(server.pids()) - 1} workers; log {log.relative_to(ROOT)})")
        samples, rss = asyncio.run(run(server, args.clients, args.seconds, args.warmup))
    return 0 if report(samples, rss, args.seconds) else 1


if __name__ == "__main__":
    raise SystemExit(main())
