"""API overhead: POST /api/convolve through a real uvicorn on loopback vs the same work in process.

Request: a 1024×1024 JPEG (multipart), sobel-x, pad 1, 2×2 max pooling. The in-process
baseline calls the very code the route runs after reading the body (decode → engine → encode:
`app.services.convolve.convolve_payload` + `app.api.media.respond`), so the difference is what
HTTP, uvicorn, multipart parsing and the thread hop add. Target: at most 25 % overhead.
Run: `python -m bench.api`.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from .common import pin_threads, round_robin

ROOT = Path(__file__).resolve().parent.parent
SPEC = {"kernel": "sobel-x", "pad": 1, "pool": {"type": "max", "size": 2, "stride": 2}}
TARGET = 0.25


def photo_jpeg(side: int = 1024, seed: int = 0) -> bytes:
    """A photo-like RGB test picture (gradients, discs, noise) as a quality-90 JPEG."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:side, 0:side] / side
    img = np.stack([x, y, 0.5 + 0.5 * np.sin(6 * x + 4 * y)], axis=-1)
    for cx, cy, r in rng.random((12, 3)):
        img[(x - cx) ** 2 + (y - cy) ** 2 < (0.15 * r) ** 2] = rng.random(3)
    img = np.clip(img + rng.normal(0, 0.03, img.shape), 0, 1)
    buf = io.BytesIO()
    Image.fromarray((img * 255).astype(np.uint8)).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    """uvicorn app.main:app on 127.0.0.1:port, awaited by polling /api/health."""
    cmd = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
           "--port", str(port), "--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)  # polling a starting process, not synchronising tests
    proc.terminate()
    raise RuntimeError("uvicorn did not answer /api/health within 60 s")


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system, all threads) a process has used, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_per_call(fn: Callable[[], object], read: Callable[[], float], n: int = 12) -> float:
    """CPU seconds per call of fn as `read` measures them (median-free: total / n)."""
    fn()
    before = read()
    for _ in range(n):
        fn()
    return (read() - before) / n


def main() -> None:
    """Print in-process vs over-HTTP medians for JSON and PNG responses, and the overhead."""
    print(pin_threads())
    from app.api.media import JSON, PNG, respond
    from app.config import get_settings
    from app.schemas import ConvSpec
    from app.services.convolve import Payload, convolve_payload

    jpeg = photo_jpeg()
    settings = get_settings()
    spec = ConvSpec.model_validate(SPEC)
    port = _free_port()
    proc = start_server(port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            def over_http(media: str, encoding: str = "identity") -> bytes:
                # identity: like for like with the in-process call (gzip is timed on its own)
                r = client.post("/api/convolve", files={"image": ("photo.jpg", jpeg, "image/jpeg")},
                                data={"spec": json.dumps(SPEC)},
                                headers={"accept": media, "accept-encoding": encoding})
                r.raise_for_status()
                return r.content

            def in_process(media: str) -> bytes:
                out = convolve_payload(Payload(spec=spec, files=[jpeg]), settings, None,
                                       media == JSON)
                return bytes(respond(out, media, settings.max_preview_maps).body)

            fns = {f"{where} {m}": (lambda f=f, m=m: f(m))
                   for m in (PNG, JSON) for where, f in (("in-process", in_process),
                                                         ("uvicorn", over_http))}
            fns["uvicorn gzip"] = lambda: over_http(JSON, "gzip")
            med = round_robin(fns, budget_s=6.0, min_rounds=5, max_rounds=25)
            cpu = {m: (cpu_per_call(lambda m=m: in_process(m), time.process_time),
                       cpu_per_call(lambda m=m: over_http(m), lambda: process_cpu_s(proc.pid)))
                   for m in (PNG, JSON)}
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"POST /api/convolve: 1024×1024 JPEG ({len(jpeg) / 1024:.0f} KiB), sobel-x, pad 1, "
          f"2×2 max pool → (1, 1, 512, 512)")
    worst = -1.0
    for media in (PNG, JSON):
        # Wall clock: the HTTP client thread only waits, so its CPU time says nothing here.
        a, b = med[f"in-process {media}:wall"], med[f"uvicorn {media}:wall"]
        overhead = b / a - 1
        worst = max(worst, overhead)
        ca, cb = cpu[media]
        print(f"  Accept {media:<17} wall: in-process {a * 1e3:6.1f} ms, uvicorn {b * 1e3:6.1f} ms "
              f"({overhead * 100:+5.1f} %)   server CPU: {ca * 1e3:6.1f} → {cb * 1e3:6.1f} ms "
              f"({(cb / ca - 1) * 100:+5.1f} %)")
    gz, plain = med["uvicorn gzip:wall"], med[f"uvicorn {JSON}:wall"]
    print(f"  Accept {JSON:<17} with Accept-Encoding: gzip (level 1, app/api/wire.py): "
          f"{gz * 1e3:6.1f} ms, {(gz / plain - 1) * 100:+.1f} % over identity "
          f"(fewer bytes on the wire: bench/wire.py)")
    verdict = "OK" if worst <= TARGET else "ABOVE TARGET"
    print(f"  worst wall-clock overhead {worst * 100:+.1f} % (target ≤ {TARGET * 100:.0f} %): "
          f"{verdict}; wall time is sensitive to other load on the machine, CPU time is not")


if __name__ == "__main__":
    main()
