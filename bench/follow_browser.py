"""Follow the teacher in place: time from the teacher's "send my screen" to the student's page
showing the teacher's state, in real Chromium against a live uvicorn on loopback.

One teacher (EN, 1280×720) and `--students` students (1024×768) in their own browser contexts;
for each kind of change (tab switch, the lab's stride, the teacher's own image by ref, the network
view's digit, the inspected pixel) the teacher toggles between two states `--n` times. The clock
(Date.now(), one machine) is read in the teacher's page right before the send button's click, and
in each student's page when a rAF-polled predicate first sees the teacher's state drawn (the lab's
maps rendered at the new shape, the network's prediction idle with the teacher's label, ...).
Prints median / p95 / max per kind over all students. Never a timed assertion.
Run: `python -m bench.follow_browser` (about a minute); bounded by --budget seconds.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image

from tests.live_server import live_server

CHROMIUM = "/usr/bin/chromium"
SEND = "Send my screen to the class"
SEND_NOW = ("() => { const t = Date.now(); [...document.querySelectorAll('.cls-bar button')]"
            f".find((b) => b.textContent === '{SEND}').click(); return t; }}")
WATCH = """(cond) => { const test = new Function("return " + cond);
    if (test()) return false;   // already in the teacher's state: not a measurement
    window.__seen = 0;
    window.__applied = 0;
    const followed = document.body.dataset.followed;
    const tick = () => {
        if (!window.__applied && document.body.dataset.followed !== followed) {
            window.__applied = Date.now();
        }
        if (test()) window.__seen = Date.now(); else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    return true; }"""


def _picture(w: int, h: int) -> bytes:
    img = Image.new("RGB", (w, h))
    img.putdata([(x * 5 % 256, y * 7 % 256, (x * y) % 256) for y in range(h) for x in range(w)])
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _page(browser: Any, w: int, h: int) -> Any:
    # bypass_csp: the measuring predicate is evaluated from a string (the CSP refuses eval)
    return browser.new_context(viewport={"width": w, "height": h}, bypass_csp=True).new_page()


def _join(browser: Any, url: str, n: int) -> tuple[Any, list[Any]]:
    teacher = _page(browser, 1280, 720)
    teacher.goto(url + "/?view=classroom")
    teacher.wait_for_selector("body[data-ready=true]")
    teacher.get_by_role("button", name="Start a class").click()
    code = teacher.locator('[data-role="code"]').inner_text()
    students = []
    for _ in range(n):
        s = _page(browser, 1024, 768)
        s.goto(f"{url}/classroom?join={code}")
        s.wait_for_selector("body[data-ready=true]")
        s.locator('[data-role="join-form"] button[type="submit"]').click()
        s.wait_for_selector(".cls-bar")
        s.evaluate("window.__stayed = true")
        students.append(s)
    return teacher, students


APPLIED: dict[str, list[float]] = {}


def _measure(teacher: Any, students: list[Any], cond: str, kind: str = "") -> list[float]:
    """Watch (each student polls `cond`, a JS expression, every animation frame), send;
    → ms from the click to each student's first frame where it holds. APPLIED[kind] gets the
    ms to the frame where the scene had been applied (controls set, before the answer drew)."""
    for s in students:
        assert s.evaluate(WATCH, cond), f"already true before the send: {cond}"
    t0 = teacher.evaluate(SEND_NOW)
    out = []
    for s in students:
        s.wait_for_function("() => window.__seen > 0", timeout=20_000)
        out.append(float(s.evaluate("window.__seen") - t0))
        applied = s.evaluate("window.__applied || window.__seen")
        APPLIED.setdefault(kind, []).append(float(applied - t0))
        assert s.evaluate("window.__stayed === true"), "the student's page reloaded"
    return out


def run(url: str, n: int, n_students: int, budget: float) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    deadline = time.monotonic() + budget
    times: dict[str, list[float]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        teacher, students = _join(browser, url, n_students)
        tab = teacher.locator
        tab('[role="tab"][data-tab="lab"]').click()
        teacher.wait_for_selector("#lab-pipeline[data-renders]")
        for s in students:
            s.wait_for_selector('[role="tab"][data-tab="classroom"][aria-selected="true"]')
        _measure(teacher, students, "document.querySelector('[role=tab][data-tab=lab]')"
                 ".getAttribute('aria-selected') === 'true'")
        for s in students:
            s.wait_for_selector("#lab-pipeline[data-renders]")
        shape = "document.querySelector('#lab-pipeline')?.dataset.shapeConv === %r"

        def lab_state(k: int) -> str:
            stride = str(2 - k % 2)
            before = teacher.locator("#lab-pipeline").get_attribute("data-renders")
            teacher.locator("#lab-stride").fill(stride)
            teacher.locator("#lab-stride").dispatch_event("input")
            teacher.wait_for_function("(b) => document.querySelector('#lab-pipeline')"
                                      ".dataset.renders !== b", arg=before)
            return shape % teacher.locator("#lab-pipeline").get_attribute("data-shape-conv")

        def image_state(k: int) -> str:
            w, h = (40, 30) if k % 2 else (52, 20)
            teacher.locator("#lab-file").set_input_files(
                files=[{"name": f"p{k}.png", "mimeType": "image/png", "buffer": _picture(w, h)}])
            teacher.wait_for_selector(f'#lab-pipeline[data-shape-input="1,{h},{w}"]')
            teacher.wait_for_function("async () => (await import('/static/js/lib/app.js'))"
                                      ".app.image?.ref?.length === 64")
            return f"document.querySelector('#lab-pipeline')?.dataset.shapeInput === '1,{h},{w}'"

        def pixel_state(k: int) -> str:
            teacher.locator("#lab-pipeline .inspectable").first.click(
                position={"x": 8 + 14 * k, "y": 6 + 11 * k})
            px = teacher.locator("#lab-inspector-body").get_attribute("data-pixel")
            return f"document.querySelector('#lab-inspector-body')?.dataset.pixel === '{px}'"

        def tab_state(k: int) -> str:
            view = ["network", "conv3d"][k % 2]
            tab(f'[role="tab"][data-tab="{view}"]').click()
            return (f"document.querySelector('[role=tab][data-tab={view}]')"
                    ".getAttribute('aria-selected') === 'true'")

        def digit_state(k: int) -> str:
            d = ["3", "5"][k % 2]
            teacher.locator('[data-view="network"] [data-role="example"]').select_option(d)
            teacher.wait_for_selector('[data-view="network"][data-state="idle"]')
            label = teacher.locator('[data-view="network"]').get_attribute("data-label")
            return ("(() => { const s = document.querySelector('[data-view=network]');"
                    f" return s.querySelector('[data-role=example]').value === '{d}'"
                    f" && s.dataset.state === 'idle' && s.dataset.label === '{label}'; }})()")

        for kind, state in [("lab stride", lab_state), ("own image by ref", image_state),
                            ("inspected pixel", pixel_state), ("tab switch", tab_state),
                            ("network digit", digit_state)]:
            if kind == "network digit":
                tab('[role="tab"][data-tab="network"]').click()
            for k in range(n):
                if time.monotonic() > deadline:
                    break
                times.setdefault(kind, []).extend(_measure(teacher, students, state(k), kind))
        browser.close()
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=6, help="changes per kind")
    ap.add_argument("--students", type=int, default=3)
    ap.add_argument("--budget", type=float, default=240.0, help="seconds, then stop measuring")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {"CONVSCOPE_DATA_DIR": str(Path(tmp) / "data"), "CONVSCOPE_REDIS_URL": ""}
        with live_server("uvicorn", Path(tmp) / "server.log", env=env) as srv:
            times = run(srv.url, args.n, args.students, args.budget)
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} CPUs")
    print("send → shown (the teacher's state drawn) | send → applied (controls set), ms")
    print(f"{'kind':<18} {'n':>3} {'median':>7} {'p95':>6} {'max':>6} | {'median':>7} {'p95':>6}")
    for kind, ts in times.items():
        shown, applied = _stats(ts), _stats(APPLIED.get(kind, ts))
        print(f"{kind:<18} {len(ts):>3} {shown[0]:>7.0f} {shown[1]:>6.0f} {shown[2]:>6.0f} |"
              f" {applied[0]:>7.0f} {applied[1]:>6.0f}")


def _stats(ts: list[float]) -> tuple[float, float, float]:
    """(median, p95, max)."""
    ts = sorted(ts)
    return statistics.median(ts), ts[min(len(ts) - 1, round(0.95 * (len(ts) - 1)))], ts[-1]


if __name__ == "__main__":
    main()
