"""`python -m loadtest.rss_burst`: does the server's memory come back after a burst? (issue 16
item 9)

Starts gunicorn (app.gunicorn_conf, CONVSCOPE_WORKERS workers), warms it with a few requests
of each kind, reads RSS (master + workers, /proc), then sends a burst: --clients concurrent
clients × --requests large multipart uploads each (a --side² JPEG, RGB, 5×5 Gaussian, no
previews), then waits until the workers are idle and reads RSS again. Prints baseline, peak
and after-burst RSS for each configuration of --configs (';'-separated, each a space-separated
list of CONVSCOPE_ settings without the prefix; MALLOC_ARENAS=0 MALLOC_MMAP_THRESHOLD=0
MALLOC_TRIM_S=0 is glibc's default). Loopback only, bounded by clients × requests and
--deadline seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

import httpx

from loadtest.mix import photo_jpeg
from loadtest.server import ROOT, Server, gunicorn

SPEC = json.dumps({"kernel": {"id": "gaussian", "size": 5, "sigma": 1.2}, "pad": 2,
                   "color": "rgb", "previews": False})


async def burst(url: str, clients: int, requests: int, image: bytes, deadline: float,
                server: Server, peak: list[int]) -> dict[int, int]:
    statuses: dict[int, int] = {}

    async def one(http: httpx.AsyncClient) -> None:
        for _ in range(requests):
            if time.monotonic() > deadline:
                return
            try:
                r = await http.post("/api/convolve", files={"image": ("p.jpg", image)},
                                    data={"spec": SPEC}, headers={"accept": "application/x-npy"})
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            except httpx.HTTPError:
                statuses[0] = statuses.get(0, 0) + 1

    async def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], server.rss())
            await asyncio.sleep(0.2)  # the sampling period

    done = asyncio.Event()
    sampler = asyncio.create_task(sample())
    async with httpx.AsyncClient(base_url=url, timeout=120,
                                 limits=httpx.Limits(max_connections=clients)) as http:
        await asyncio.gather(*(one(http) for _ in range(clients)))
    done.set()
    await sampler
    return statuses


def settled_rss(server: Server, seconds: float = 5.0) -> int:
    """RSS once the workers are idle: the minimum over a few 0.5 s samples."""
    samples = []
    for _ in range(int(seconds / 0.5)):
        samples.append(server.rss())
        time.sleep(0.5)  # the sampling period
    return min(samples)


def measure(config: str, a: argparse.Namespace, image: bytes) -> None:
    env = {"CONVSCOPE_WORKERS": str(a.workers), "MALLOC_ARENA_MAX": "",
           "CONVSCOPE_CPU_QUEUE": str(a.clients)}
    env |= {f"CONVSCOPE_{k}": v for k, _, v in (kv.partition("=") for kv in config.split())}
    log = Path(ROOT, "artifacts", "loadtest", "rss.log")
    with gunicorn(log, **env) as server:
        asyncio.run(burst(server.url, 4, 2, image, time.monotonic() + 60, server, [0]))
        base = settled_rss(server)
        peak = [0]
        for _ in range(a.bursts):
            statuses = asyncio.run(burst(server.url, a.clients, a.requests, image,
                                         time.monotonic() + a.deadline, server, peak))
        after = settled_rss(server)
    mib = 2**20
    print(f"{config or 'defaults'}: baseline {base / mib:.0f} MiB, peak "
          f"{peak[0] / mib:.0f} MiB, after {a.bursts} burst(s) {after / mib:.0f} MiB "
          f"(+{(after - base) / mib:.0f} MiB, {100 * (after - base) / max(1, peak[0] - base):.0f} "
          f"% of the rise kept); last statuses {statuses}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--clients", type=int, default=12)
    p.add_argument("--requests", type=int, default=3)
    p.add_argument("--bursts", type=int, default=2)
    p.add_argument("--side", type=int, default=1536)
    p.add_argument("--configs", default="MALLOC_ARENAS=0 MALLOC_MMAP_THRESHOLD=0 MALLOC_TRIM_S=0;"
                   "MALLOC_ARENAS=2 MALLOC_MMAP_THRESHOLD=0 MALLOC_TRIM_S=0;",
                   help="configurations to compare (the last, empty: the defaults)")
    p.add_argument("--deadline", type=float, default=180)
    a = p.parse_args()
    image = photo_jpeg(a.side)
    print(f"rss_burst: {a.workers} workers, {a.bursts} bursts of {a.clients} clients x "
          f"{a.requests} uploads of a {a.side}x{a.side} JPEG ({len(image) // 1024} KB)")
    for config in a.configs.split(";"):
        measure(config.strip(), a, image)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
