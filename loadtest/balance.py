"""`python -m loadtest.balance`: are keep-alive clients spread over the workers? (issue 16 item 7)

Starts gunicorn (app.gunicorn_conf) with W workers of `capacity` admission slots each
(CONVSCOPE_CPU_WORKERS=1, CONVSCOPE_CPU_QUEUE=capacity-1), opens N keep-alive clients (one
connection each, httpx) that send R tiny requests each (the book's 4×4 JSON convolution), and
prints the established connections per worker (from /proc) and the status counts: the 503 rate
must be 0 whenever no worker holds more connections than its capacity. Loopback only; bounded
by N×R requests and --deadline seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections import Counter
from pathlib import Path

import httpx

from loadtest.server import ROOT, Server, gunicorn

BOOK = {"input": [[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]],
        "spec": {"kernel": [[2, 0, 1], [0, 1, 2], [1, 0, 2]]}}


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def connections_per_worker(server: Server) -> dict[int, int]:
    """Established TCP connections on the server's port held by each worker (from /proc)."""
    port = int(server.url.rsplit(":", 1)[1])
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            f = line.split()
            if int(f[1].rsplit(":", 1)[1], 16) == port and f[3] == "01":
                established.add(f[9])
    return {pid: len(_socket_inodes(pid) & established) for pid in server.pids()[1:]}


async def client(url: str, requests: int, deadline: float, out: Counter[int]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30,
                                 limits=httpx.Limits(max_connections=1)) as http:
        for _ in range(requests):
            if time.monotonic() > deadline:
                return
            try:
                out[(await http.post("/api/convolve", json=BOOK)).status_code] += 1
            except httpx.HTTPError:
                out[0] += 1


async def run(server: Server, clients: int, requests: int, deadline_s: float) -> Counter[int]:
    statuses: Counter[int] = Counter()
    deadline = time.monotonic() + deadline_s
    async with httpx.AsyncClient(base_url=server.url) as warm:  # every worker booted
        await warm.get("/api/health")
    tasks = [asyncio.create_task(client(server.url, requests, deadline, statuses))
             for _ in range(clients)]
    while sum(statuses.values()) < clients and not all(t.done() for t in tasks):
        await asyncio.sleep(0.05)  # polling until every client has its connection
    print(f"  connections per worker: {connections_per_worker(server)}")
    await asyncio.gather(*tasks)
    return statuses


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--capacity", type=int, default=0, help="slots per worker (0: clients×2 "
                   "over all workers, the issue's case)")
    p.add_argument("--requests", type=int, default=40, help="requests per client")
    p.add_argument("--reuse-port", default="1", help="CONVSCOPE_REUSE_PORT (1 or 0)")
    p.add_argument("--deadline", type=float, default=120)
    a = p.parse_args()
    capacity = a.capacity or max(1, a.clients * 2 // a.workers)
    env = {"CONVSCOPE_WORKERS": str(a.workers), "CONVSCOPE_CPU_WORKERS": "1",
           "CONVSCOPE_CPU_QUEUE": str(capacity - 1), "CONVSCOPE_REUSE_PORT": a.reuse_port}
    log = Path(ROOT, "artifacts", "loadtest", "balance.log")
    with gunicorn(log, **env) as server:
        print(f"balance: {a.clients} keep-alive clients x {a.requests} requests, {a.workers} "
              f"workers x {capacity} slots, reuse_port={a.reuse_port}")
        statuses = asyncio.run(run(server, a.clients, a.requests, a.deadline))
    total = sum(statuses.values())
    print(f"  statuses: {dict(sorted(statuses.items()))}; 503: {statuses[503]} of {total} "
          f"({100 * statuses[503] / max(1, total):.1f} %)")
    return 0 if set(statuses) == {200} else 1


if __name__ == "__main__":
    raise SystemExit(main())
