"""`python -m loadtest.starve`: can slow uploads starve small requests? (issue 16 items 1, 3)

Starts gunicorn (app.gunicorn_conf, --workers, default 2), opens --drip connections that each
POST a --size byte body (Content-Length declared, 1 MiB by default) at --rate bytes/s, just above
the server's body_min_rate (1024 bytes/s), so that the protocol keeps them until body_timeout_s;
meanwhile one small client POSTs the book's 4×4 JSON convolution every 0.25 s. Bounded by
--seconds (30). Prints how the drips ended and the small client's statuses and latency.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from pathlib import Path

import numpy as np

from loadtest.server import ROOT, gunicorn
from loadtest.slowclients import polite  # the small client: a 4×4 convolve every 0.25 s

TICK_S = 0.25  # the drip's and the small client's pace


async def drip(host: str, port: int, size: int, rate: int, deadline: float,
               out: list[bytes]) -> None:
    """One upload sent at `rate` bytes/s; records the first bytes of the answer (or why not)."""
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as exc:
        out.append(f"connect: {exc}".encode())
        return
    head = (f"POST /api/convolve HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            f"Content-Length: {size}\r\n\r\n").encode()
    per_tick, sent, answer = max(1, int(rate * TICK_S)), 0, b""
    try:
        writer.write(head)
        while time.monotonic() < deadline and sent < size:
            try:
                chunk = await asyncio.wait_for(reader.read(4096), TICK_S)
            except TimeoutError:
                part = min(per_tick, size - sent)
                writer.write(b" " * part)
                sent += part
                continue
            if not chunk:
                break
            answer += chunk
        out.append(answer[:12] or b"(open)")
    except (ConnectionError, OSError):
        out.append(answer[:12] or b"reset")
    finally:
        writer.close()


async def run(url: str, a: argparse.Namespace) -> None:
    host, port = url.removeprefix("http://").split(":")
    deadline = time.monotonic() + a.seconds
    drips: list[bytes] = []
    answered: list[tuple[int, float]] = []
    await asyncio.gather(polite(url, deadline, answered),
                         *(drip(host, int(port), a.size, a.rate, deadline, drips)
                           for _ in range(a.drip)))
    print(f"  drips: {dict(Counter(d.decode('latin-1') for d in drips))}")
    lat = np.array([dt for s, dt in answered if s == 200]) * 1000
    print(f"  small client: {len(answered)} requests, statuses "
          f"{dict(Counter(s for s, _ in answered))}; 200 latency p50 "
          f"{np.percentile(lat, 50) if lat.size else 0:.0f} ms, p99 "
          f"{np.percentile(lat, 99) if lat.size else 0:.0f} ms, max "
          f"{lat.max() if lat.size else 0:.0f} ms")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--drip", type=int, default=16, help="slow uploads")
    p.add_argument("--rate", type=int, default=1229, help="bytes/s per upload (1.2 KiB/s)")
    p.add_argument("--size", type=int, default=1 << 20, help="declared Content-Length")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seconds", type=float, default=30)
    a = p.parse_args()
    log = Path(ROOT, "artifacts", "loadtest", "starve.log")
    with gunicorn(log, CONVSCOPE_WORKERS=str(a.workers)) as server:
        print(f"starve: {a.drip} uploads of {a.size} bytes at {a.rate} bytes/s, a 4×4 JSON "
              f"convolve every {TICK_S} s, {a.seconds:.0f} s against {server.url} "
              f"({a.workers} workers)")
        asyncio.run(run(server.url, a))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
