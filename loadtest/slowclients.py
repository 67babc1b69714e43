"""`python -m loadtest.slowclients`: slowloris, slow-drip and idle connections against the
production server (issue 16 item 3), on loopback, bounded by --seconds.

Starts gunicorn (app.gunicorn_conf, 2 workers, the default timeouts), opens --loris connections
that send a partial request head and then one more header byte every second, --drip
connections that send a head (Content-Length 1 MiB) and one body byte a second, and --idle
connections that send nothing. Meanwhile one well-behaved client POSTs the book's 4×4 JSON
convolution every 0.25 s. Prints, per kind, how many connections the server closed and when
(seconds after opening), what it answered, and the well-behaved client's statuses and latency.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time
from collections import Counter
from pathlib import Path

import httpx
import numpy as np

from loadtest.server import ROOT, gunicorn

BOOK = {"input": [[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]],
        "spec": {"kernel": [[2, 0, 1], [0, 1, 2], [1, 0, 2]]}}
HEAD = b"POST /api/convolve HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"


async def hostile(host: str, port: int, kind: str, deadline: float,
                  out: list[tuple[str, float | None, bytes]]) -> None:
    """One slow connection; records (kind, seconds until the server closed it, first bytes)."""
    t0 = time.monotonic()
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as exc:
        out.append((kind, 0.0, f"connect: {exc}".encode()))
        return
    first = {"loris": HEAD + b"X-a: ", "drip": HEAD + b"Content-Length: 1048576\r\n\r\n",
             "idle": b""}[kind]
    answer = b""
    try:
        writer.write(first)
        while time.monotonic() < deadline:
            try:
                chunk = await asyncio.wait_for(reader.read(4096), 1.0)  # one drip per second
            except TimeoutError:
                if kind != "idle":
                    writer.write(b"a")
                continue
            if not chunk:
                out.append((kind, time.monotonic() - t0, answer[:12]))
                return
            answer += chunk
    except (ConnectionError, OSError):
        out.append((kind, time.monotonic() - t0, answer[:12] or b"reset"))
        return
    finally:
        writer.close()
    out.append((kind, None, answer[:12]))


async def polite(url: str, deadline: float, out: list[tuple[int, float]]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                status = (await http.post("/api/convolve", json=BOOK)).status_code
            except httpx.HTTPError:
                status = 0
            out.append((status, time.perf_counter() - t0))
            await asyncio.sleep(0.25)  # the polite client's pace


async def run(url: str, a: argparse.Namespace) -> None:
    host, port = url.removeprefix("http://").split(":")
    deadline = time.monotonic() + a.seconds
    closed: list[tuple[str, float | None, bytes]] = []
    answered: list[tuple[int, float]] = []
    tasks = [hostile(host, int(port), kind, deadline, closed)
             for kind, n in (("loris", a.loris), ("drip", a.drip), ("idle", a.idle))
             for _ in range(n)]
    await asyncio.gather(polite(url, deadline, answered), *tasks)
    for kind in ("loris", "drip", "idle"):
        rows = [r for r in closed if r[0] == kind]
        times = [t for _, t, _ in rows if t is not None]
        answers = Counter(ans.decode("latin-1") for _, t, ans in rows if t is not None)
        print(f"  {kind:5}: {len(times)} of {len(rows)} closed by the server, after "
              f"{min(times, default=0):.1f}-{max(times, default=0):.1f} s; answers "
              f"{dict(answers)}")
    lat = np.array([dt for s, dt in answered if s == 200]) * 1000
    print(f"  polite client: {Counter(s for s, _ in answered)}; latency p50 "
          f"{np.percentile(lat, 50) if lat.size else 0:.0f} ms, max "
          f"{lat.max() if lat.size else 0:.0f} ms")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--loris", type=int, default=1100)
    p.add_argument("--drip", type=int, default=50)
    p.add_argument("--idle", type=int, default=100)
    p.add_argument("--seconds", type=float, default=45)
    a = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = a.loris + a.drip + a.idle + 256
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, need)), hard))
    log = Path(ROOT, "artifacts", "loadtest", "slowclients.log")
    with gunicorn(log, CONVSCOPE_WORKERS="2") as server:
        print(f"slowclients: {a.loris} slowloris, {a.drip} slow-drip, {a.idle} idle connections"
              f" for {a.seconds:.0f} s against {server.url} (2 workers)")
        asyncio.run(run(server.url, a))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
