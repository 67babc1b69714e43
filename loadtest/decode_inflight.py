"""`python -m loadtest.decode_inflight [seconds]`: is a small request answered while decode bombs
are in flight?

Starts the production server (gunicorn + uvicorn workers, loadtest/server.py) on loopback, then
for `seconds` (default 20; every request has a 60 s client timeout, so the run is bounded) six
hostile clients loop: two send the repeated-scan progressive JPEG (4000×4000, 8,000 extra scans,
394 KB), two send 16 × the 90-byte animated WebP declaring 4000×4000, two send the heaviest
request the default limits admit (8 × a 16 MP RGBA PNG, max_side 16). Meanwhile one client sends
the textbook 4×4 JSON convolve every 0.25 s. Prints the small request's latency (p50, p95, max)
and statuses, the hostile statuses and the server's peak RSS. Numbers, never assertions.
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from loadtest.server import ROOT, gunicorn
from tests.decode_bombs import animated_webp, progressive_jpeg, smooth

TEXTBOOK = {"input": [[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]],
            "spec": {"kernel": [[2, 0, 1], [0, 1, 2], [1, 0, 2]], "bias": 3}}


def hostile_requests() -> dict[str, tuple[list[bytes], dict]]:
    return {
        "jpeg-8000-scans": ([progressive_jpeg(4000, 8000, scan=5)], {"max_side": 64}),
        "webp-90-bytes-x16": ([animated_webp(4000)] * 16, {"max_side": 64}),
        "png-16mp-rgba-x8": ([smooth(4000, "PNG", "RGBA")] * 8, {"max_side": 16}),
    }


def hostile_loop(url: str, files: list[bytes], spec: dict, until: float,
                 statuses: Counter[str]) -> None:
    parts = [("image", (f"{i}", f, "application/octet-stream")) for i, f in enumerate(files)]
    data = {"spec": json.dumps({"kernel": [[1]], **spec})}
    with httpx.Client(base_url=url, timeout=60) as c:
        while time.monotonic() < until:
            try:
                statuses[str(c.post("/api/convolve", files=parts, data=data).status_code)] += 1
            except httpx.HTTPError as e:
                statuses[type(e).__name__] += 1


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    bombs = hostile_requests()
    log = ROOT / "artifacts" / "decode_inflight.log"
    with gunicorn(log) as server:
        until = time.monotonic() + seconds
        counters = {name: Counter[str]() for name in bombs}
        threads = [threading.Thread(target=hostile_loop, args=(server.url, files, spec, until,
                                                               counters[name]))
                   for name, (files, spec) in bombs.items() for _ in range(2)]
        for t in threads:
            t.start()
        latencies, small = [], Counter[str]()
        peak = 0
        with httpx.Client(base_url=server.url, timeout=60) as c:
            while time.monotonic() < until:
                t0 = time.perf_counter()
                try:
                    r = c.post("/api/convolve", json=TEXTBOOK)
                    small[str(r.status_code)] += 1
                    if r.status_code == 200:
                        assert r.json()["output"] == [[[[18, 19], [9, 18]]]], r.text
                except httpx.HTTPError as e:
                    small[type(e).__name__] += 1
                latencies.append(time.perf_counter() - t0)
                peak = max(peak, server.rss())
                time.sleep(0.25)  # the small client's pace, not a synchronisation
        for t in threads:
            t.join(70)
    lat = sorted(latencies)
    print(f"small 4x4 JSON convolve: {len(lat)} requests, statuses {dict(small)}, "
          f"p50 {statistics.median(lat) * 1000:.0f} ms, "
          f"p95 {lat[int(0.95 * (len(lat) - 1))] * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms")
    for name, counter in counters.items():
        print(f"hostile {name}: {dict(counter)}")
    print(f"server peak RSS (master + workers, sampled): {peak / 2**20:.0f} MiB; log {log}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
