"""The lab in real Chromium: change → redraw, and a 4000×3000 photo on emulated classroom Wi-Fi.

Against a live uvicorn (tests/live_server.py) on loopback, Playwright + /usr/bin/chromium:
1. Change → redraw: the lab at working size 256 (gray) and 512 (RGB, depthwise) with a
   photo-like picture (bench.api.photo_jpeg) uploaded; in the page (a context with bypass_csp, so
   the timing code can be evaluated), `performance.now()` is read, the padding-mode <select> is
   set and its real `change` event dispatched, and the clock is read again when the pipeline's
   `data-renders` counter has moved and the next animation frame has run (the maps are on
   screen). 3 warm-ups, then `--n` changes cycling zeros / edge / reflect: median and p95.
2. Classroom Wi-Fi: DevTools' Network.emulateNetworkConditions at 20 Mbit/s down, 5 Mbit/s up,
   20 ms latency; a 4000×3000 JPEG picked in the file input (the browser shrinks it to the
   working size, 256 px, and uploads that once): time from set_input_files to the first drawn
   result (Python's clock), then `--n` later changes as in 1 (by image_ref).
Never a timed assertion: it prints figures. Run: `python -m bench.lab_browser` (about a minute).
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from bench.api import photo_jpeg
from tests.live_server import live_server

CHROMIUM = "/usr/bin/chromium"
READY = "body[data-ready='true'] #lab-pipeline figure.stage[data-stage='conv']"
CHANGES = """async (n) => {
    const sel = document.querySelector("#lab-padmode");
    const pipe = document.querySelector("#lab-pipeline");
    const modes = ["edge", "reflect", "zeros"];
    const times = [];
    for (let k = 0; k < n; k++) {
        const before = pipe.dataset.renders;
        const drawn = new Promise((resolve) => {
            const mo = new MutationObserver(() => {
                if (pipe.dataset.renders !== before) {
                    mo.disconnect();
                    requestAnimationFrame(() => resolve());
                }
            });
            mo.observe(pipe, { attributes: true, attributeFilter: ["data-renders"] });
        });
        const t0 = performance.now();
        sel.value = modes[k % 3];
        sel.dispatchEvent(new Event("change", { bubbles: true }));
        await drawn;
        times.push(performance.now() - t0);
    }
    return times;
}"""


def big_jpeg(w: int = 4000, h: int = 3000) -> bytes:
    """A 4000×3000 photo-like JPEG: the 1000 px test photo scaled up (quality 90)."""
    small = Image.open(io.BytesIO(photo_jpeg(1000, seed=3))).resize((w, h), Image.BILINEAR)
    noise = np.random.default_rng(3).normal(0, 4, (h, w, 3))
    arr = np.clip(np.asarray(small, np.float64) + noise, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def stats(times: list[float]) -> str:
    s = sorted(times)
    p95 = s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]
    return f"median {statistics.median(s):6.1f} ms, p95 {p95:6.1f} ms (n={len(s)})"


PARTS = """() => Object.fromEntries(["lab:request", "lab:decode", "lab:draw"].map((name) => [
    name, performance.getEntriesByName(name).map((e) => e.duration)]))"""


def parts(page: Any) -> str:
    """Where the time went: the page's own performance.measure entries (lib index.js)."""
    got = page.evaluate(PARTS)
    return "  of which " + ", ".join(
        f"{k[4:]} median {statistics.median(v):.1f} ms" for k, v in got.items() if v)


def upload(page: Any, name: str, data: bytes) -> float:
    before = page.get_attribute("#lab-pipeline", "data-renders")
    t0 = time.perf_counter()
    page.set_input_files("#lab-file", files=[{"name": name, "mimeType": "image/jpeg",
                                              "buffer": data}])
    page.wait_for_selector(f'#lab-pipeline[aria-busy="false"]:not([data-renders="{before}"])',
                           state="attached", timeout=120_000)
    return (time.perf_counter() - t0) * 1000


def run(base: str, n: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for ws, color in ((256, "gray"), (512, "rgb")):
                ctx = browser.new_context(bypass_csp=True, viewport={"width": 1280,
                                                                     "height": 720})
                page = ctx.new_page()
                page.goto(f"{base}/?ws={ws}&c={color}&img=shapes")
                page.wait_for_selector(READY)
                upload(page, "photo.jpg", photo_jpeg(ws, seed=1))
                page.evaluate(CHANGES, 3)
                page.evaluate("() => performance.clearMeasures()")
                print(f"change → redraw, {ws} px {color}, loopback: "
                      f"{stats(page.evaluate(CHANGES, n))}")
                print(parts(page))
                ctx.close()
            jpeg = big_jpeg()
            ctx = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 720})
            page = ctx.new_page()
            page.goto(f"{base}/?ws=256&c=gray&img=shapes")
            page.wait_for_selector(READY)
            cdp = ctx.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", {
                "offline": False, "latency": 20, "downloadThroughput": 20e6 / 8,
                "uploadThroughput": 5e6 / 8})
            page.evaluate("() => performance.clearMeasures()")
            first = upload(page, "IMG_4000x3000.jpg", jpeg)
            print(f"first result: {parts(page)}")
            print(f"20/5 Mbit/s, 20 ms: a {len(jpeg) / 1e6:.1f} MB 4000×3000 JPEG → first "
                  f"result {first:.0f} ms; later changes: {stats(page.evaluate(CHANGES, n))}")
            print("  note:", page.inner_text("#lab-resized"))
            ctx.close()
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="changes measured per case")
    args = parser.parse_args()
    log = Path(tempfile.mkdtemp(prefix="labbench-")) / "uvicorn.log"
    with live_server("uvicorn", log) as server:
        run(server.url, args.n)


if __name__ == "__main__":
    main()
