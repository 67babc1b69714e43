"""`make hostile`: time and extra memory of every hostile-input case (tests/hostile_inputs.py).

In process, through the ASGI app (TestClient), after one warm-up pass: wall time (median of 3),
tracemalloc peak (Python and NumPy allocations) and the peak RSS growth (VmHWM, reset through
/proc/self/clear_refs before each case; catches Pillow's C allocations). Targets: 200 ms and
64 MiB per case; a case over them is flagged and the exit status is 1.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fastapi.testclient import TestClient  # noqa: E402
from hostile_inputs import Case, cases  # noqa: E402

from app.main import app  # noqa: E402

TIME_S, MEM_B = 0.200, 64 * 2**20


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def peak_rss_growth(client: TestClient, case: Case) -> int:
    """Bytes the process's peak RSS grew by during one request."""
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    except OSError:
        return -1
    before = _status_kb("VmRSS")
    client.request(**case.kwargs)
    return (_status_kb("VmHWM") - before) * 1024


def measure(client: TestClient, case: Case) -> tuple[int, float, int, int]:
    """(status, median seconds, tracemalloc peak bytes, peak RSS growth bytes)."""
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        status = client.request(**case.kwargs).status_code
        times.append(time.perf_counter() - t0)
    rss = peak_rss_growth(client, case)
    tracemalloc.start()
    client.request(**case.kwargs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return status, statistics.median(times), peak, rss


def main() -> int:
    corpus = cases()
    over = 0
    with TestClient(app, raise_server_exceptions=False) as client:
        for case in corpus:  # warm-up: imports, first-call caches
            client.request(**case.kwargs)
        print(f"{'case':42} {'status':>6} {'ms':>7} {'traced MiB':>10} {'RSS+ MiB':>9}")
        for case in corpus:
            status, dt, traced, rss = measure(client, case)
            flag = ""
            if status not in case.expect:
                flag += f"  UNEXPECTED (want {sorted(case.expect)})"
            if dt > TIME_S or max(traced, rss) > MEM_B:
                flag += "  OVER TARGET"
            over += bool(flag)
            print(f"{case.id:42} {status:6d} {dt * 1000:7.1f} {traced / 2**20:10.2f} "
                  f"{rss / 2**20:9.2f}{flag}")
    print(f"\n{len(corpus)} cases; targets {TIME_S * 1000:.0f} ms and {MEM_B // 2**20} MiB "
          f"of extra memory per case; {over} over target or unexpected")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
