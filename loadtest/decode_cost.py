"""`python -m loadtest.decode_cost`: CPU seconds and peak-RSS growth of decoding each decode bomb.

Each case runs in a fresh subprocess (bounded by a 120 s timeout): the bytes are built by the
parent and read from a file, the app is imported, then one request's decode
(app.service.prepare: probe, plan, decode) runs; the child reports its CPU time
(resource.getrusage, user + system), the growth of its peak RSS (VmHWM after − before, VmHWM
reset to the current RSS through /proc/self/clear_refs first; Pillow's C allocations are
invisible to tracemalloc) and the outcome ("ok" + shape, or the error code). Run it on two
commits to compare before/after.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASES = {  # name → (builder expression in tests.decode_bombs, images per request, spec)
    "jpeg-progressive-4000-plain": ("progressive_jpeg(4000, 0)", 1, {"max_side": 1000}),
    "jpeg-progressive-4000-8000-repeated-scans": ("progressive_jpeg(4000, 8000, scan=5)", 1,
                                                  {"max_side": 1000}),
    "jpeg-progressive-4000-90-repeated-scans": ("progressive_jpeg(4000, 90, scan=5)", 1,
                                                {"max_side": 1000}),
    "webp-animated-90-bytes-4000x4000": ("animated_webp(4000)", 1, {"max_side": 64}),
    "webp-animated-4000x4000-x16-images": ("animated_webp(4000)", 16, {"max_side": 64}),
    "webp-still-2000x2000-lossless": ("smooth(2000, 'WEBP', lossless=True)", 1, {"max_side": 64}),
    "webp-still-2896x2896-lossy": ("smooth(2896, 'WEBP')", 1, {"max_side": 64}),
    "png-16mp-gray": ("png_rows(4000, 4000)", 1, {}),
    "png-16mp-rgba": ("smooth(4000, 'PNG', 'RGBA')", 1, {}),
    "png-short-idat": ("png_rows(1000, 1000, 500)", 1, {}),
    # the worst a request can cost within the default limits (each limit nearly reached)
    "worst-jpeg-16mp-55-scans-noisy": ("progressive_jpeg(4000, 45, noisy=True)", 1,
                                        {"max_side": 16}),
    "worst-jpeg-16mp-100-scans-x1": ("progressive_jpeg(4000, 90, scan=5)", 1, {"max_side": 16}),
    "worst-jpeg-16mp-10-scans-x10": ("progressive_jpeg(4000, noisy=True)", 10, {"max_side": 16}),
    "worst-png-16mp-rgba-x8": ("smooth(4000, 'PNG', 'RGBA')", 8, {"max_side": 16}),
    "worst-webp-8mp-x4": ("smooth(2896, 'WEBP')", 4, {"max_side": 16}),
}

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from app.config import get_settings
from app.errors import ApiError
from app.payload import Payload
from app.schemas import ConvSpec
from app.service import conv_layers, prepare
data = open({path!r}, 'rb').read()
files = [data] * {n}
spec = ConvSpec.model_validate({{"kernel": [[1]], **{spec!r}}})
payload = Payload(spec=spec, files=files, nested=None)
def usage():
    r = resource.getrusage(resource.RUSAGE_SELF)
    hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM:")][0].split()[1]
    return r.ru_utime + r.ru_stime, int(hwm)
open("/proc/self/clear_refs", "w").write("5")  # VmHWM := current RSS
cpu0, rss0 = usage()
try:
    batch, _ = prepare(payload, conv_layers(spec), "spec", get_settings(), None, "application/json")
    outcome = "ok " + "x".join(map(str, batch.x.shape))
except ApiError as e:
    outcome = f"{{e.status}} {{e.code}}"
cpu1, rss1 = usage()
print(json.dumps({{"bytes": len(data), "cpu_s": round(cpu1 - cpu0, 3),
                  "rss_growth_mib": round((rss1 - rss0) / 1024, 1), "outcome": outcome}}))
"""


def run_case(expr: str, n: int, spec: dict) -> dict:
    from tests import decode_bombs

    data = eval(expr, vars(decode_bombs))  # a builder call from CASES, never user input
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(data)
        f.flush()
        return _child(CHILD.format(root=str(ROOT), path=f.name, n=n, spec=spec))


def _child(code: str) -> dict:
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=120, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"outcome": "timeout after 120 s"}
    if out.returncode != 0:
        return {"outcome": f"exit {out.returncode}: {out.stderr.strip().splitlines()[-1:]}"}
    result: dict = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    names = sys.argv[1:] or list(CASES)
    for name in names:
        expr, n, spec = CASES[name]
        print(f"{name:44s} {json.dumps(run_case(expr, n, spec))}", flush=True)


if __name__ == "__main__":
    main()
