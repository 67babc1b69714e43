"""Explanations through the API (issue 15): a Grad-CAM or saliency answer for a digit through a
real uvicorn on loopback (target ≤ 50 ms) and activation maximisation of one filter (≤ 1 s).

Medians of wall-clock time per request (the client waits, the server works), 15 requests each,
after one warm-up; the maximisation also in process (no HTTP), with the default 64 steps.
Run: `python -m bench.explain`.
"""

from __future__ import annotations

import statistics
import time

import httpx

from app.imaging.stroke_digits import sample_digits

from .api import _free_port, start_server
from .common import pin_threads

TARGETS = {"saliency": 0.05, "gradcam": 0.05, "occlusion": None, "maximize": 1.0}


def timed(fn, n: int = 15) -> float:  # type: ignore[no-untyped-def]
    """Median wall seconds of n calls after one warm-up."""
    fn()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> list[str]:
    print(pin_threads())
    digit = sample_digits()[0][7, 0].round(4).tolist()
    port = _free_port()
    proc = start_server(port)
    lines = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for model, layer in (("simple-convnet", "conv1"), ("slide4-cnn", "conv3")):
                for method, target in [*TARGETS.items(), ("gradcam·8", TARGETS["gradcam"])]:
                    body = {"input": digit, "method": method.split("·")[0], "layer": layer}
                    if method == "maximize":
                        body["layer"] = "conv1"
                    if method == "gradcam·8":  # as the page asks: the 8 largest |α_k| terms
                        body["channels"] = 8
                    size = [0]

                    def call(body=body, model=model, size=size) -> None:  # type: ignore[no-untyped-def]
                        r = client.post(f"/api/models/{model}/explain", json=body)
                        assert r.status_code == 200, r.text
                        size[0] = len(r.content)

                    s = timed(call, 5 if method == "maximize" else 15)
                    verdict = "" if target is None else (
                        f" (≤{target * 1e3:g} ms {'PASS' if s <= target else 'MISS'})")
                    line = (f"{model:<15} {method:<10} {s * 1e3:8.1f} ms "
                            f"{size[0] / 1024:7.0f} KB{verdict}")
                    print(line, flush=True)
                    lines.append(line)
    finally:
        proc.terminate()
        proc.wait(10)
    return lines


if __name__ == "__main__":
    main()
