"""Bytes on the wire: the lab's convolve answer and a full page load, with and without gzip.

Against a live uvicorn (tests/live_server.py) on loopback:
1. POST /api/convolve as the lab sends it (static/js/views/lab/index.js specOf: the default
   setup, sobel-x, pad 1, ReLU, 2×2 max pooling, include_values, no previews) for a 256 px gray
   and a 512 px RGB (depthwise) photo, asked once with `Accept-Encoding: identity` and once with
   `gzip`; also as PNG and NPY. Bytes = status line + headers + body as received (httpx's
   num_bytes_downloaded: the body before decoding). zlib levels 1/6/9 on the same JSON body
   (size and time) show why level 6, and gzip on the PNG and NPY bodies why they are left alone.
2. A full page load in Chromium (Playwright, a fresh context; the DevTools protocol's
   encodedDataLength per request: response headers + body as received), then the same page
   opened again in the same context (validators → 304, cached files: 0 B), and the same URLs
   fetched with `Accept-Encoding: identity` (what the page cost before gzip).
Run: `python -m bench.wire` (about 20 s; `--no-browser` skips part 2, `--list` lists the
repeat load's requests).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

import httpx

from bench.api import photo_jpeg
from tests.live_server import live_server

CHROMIUM = "/usr/bin/chromium"
SOBEL_X = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]


def lab_spec(side: int, color: str) -> dict[str, Any]:
    """The spec the lab sends for its default setup at working size `side`."""
    return {"kernel": SOBEL_X, "bias": 0, "stride": 1, "pad": 1, "pad_mode": "zeros",
            "dilation": 1, "depthwise": color == "rgb", "color": color, "activation": "relu",
            "max_side": side, "include_values": True, "previews": False,
            "pool": {"type": "max", "size": 2, "stride": 2}}


def wire_bytes(r: httpx.Response) -> int:
    """Status line + header lines + blank line + body bytes as received (still encoded)."""
    head = len(f"HTTP/1.1 {r.status_code} {r.reason_phrase}\r\n") + 2
    head += sum(len(k) + len(v) + 4 for k, v in r.headers.raw)
    return head + r.num_bytes_downloaded


def fetch(client: httpx.Client, method: str, url: str, encoding: str,
          **kw: Any) -> tuple[int, bytes, httpx.Response]:
    """(wire bytes, decoded body, response) of one request."""
    headers = {"Accept-Encoding": encoding, **kw.pop("headers", {})}
    with client.stream(method, url, headers=headers, **kw) as r:
        body = r.read()
        return wire_bytes(r), body, r


def zlib_table(body: bytes) -> str:
    rows = []
    for level in (1, 6, 9):
        t = time.perf_counter()
        size = len(zlib.compress(body, level))
        rows.append(f"level {level}: {size:,} B ({size / len(body):.0%}) in "
                    f"{(time.perf_counter() - t) * 1e3:.1f} ms")
    return "; ".join(rows)


def convolve_part(base: str) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        for side, color in ((256, "gray"), (512, "rgb")):
            files = {"image": ("photo.jpg", photo_jpeg(side), "image/jpeg")}
            data = {"spec": json.dumps(lab_spec(side, color))}
            plain, body, r = fetch(client, "POST", "/api/convolve", "identity", files=files,
                                   data=data, headers={"Accept": "application/json"})
            r.raise_for_status()
            packed, body2, r2 = fetch(client, "POST", "/api/convolve", "gzip", files=files,
                                      data=data, headers={"Accept": "application/json"})
            assert body2 == body and r2.headers.get("content-encoding") == "gzip"
            print(f"convolve JSON {side} px {color}: identity {plain:,} B, gzip {packed:,} B "
                  f"({packed / plain:.0%}); body {len(body):,} B; zlib {zlib_table(body)}")
            for accept in ("image/png", "application/x-npy"):
                n, raw, r3 = fetch(client, "POST", "/api/convolve", "gzip", files=files,
                                   data=data, headers={"Accept": accept})
                assert "content-encoding" not in r3.headers
                print(f"  {accept} {side} px {color}: {n:,} B on the wire (not gzipped); "
                      f"gzip would give {zlib_table(raw)}")


def page_part(base: str, verbose: bool = False) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context = browser.new_context()
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            loads: list[dict[str, list[Any]]] = [{}, {}]
            current = loads[0]
            methods: dict[str, str] = {}
            statuses: dict[str, int] = {}  # the status on the wire (a revalidation: 304)

            def sent(event: dict[str, Any]) -> None:
                methods[event["requestId"]] = event["request"]["method"]

            def extra(event: dict[str, Any]) -> None:
                statuses[event["requestId"]] = int(event["statusCode"])

            def received(event: dict[str, Any]) -> None:
                res = event["response"]
                cached = res.get("fromDiskCache") or res.get("fromMemoryCache")
                rid = event["requestId"]
                if res["url"].startswith(base):
                    status = "cache" if cached else statuses.get(rid, res["status"])
                    current[rid] = [res["url"], status, 0, methods.get(rid, "GET")]

            def finished(event: dict[str, Any]) -> None:
                if event["requestId"] in current:
                    current[event["requestId"]][2] = int(event["encodedDataLength"])

            cdp.on("Network.requestWillBeSent", sent)
            cdp.on("Network.responseReceivedExtraInfo", extra)
            cdp.on("Network.responseReceived", received)
            cdp.on("Network.loadingFinished", finished)
            for current in loads:  # noqa: B007 - the CDP handlers fill the current load
                page.goto(base + "/", wait_until="networkidle", timeout=60_000)
                page.goto("about:blank")
            context.close()
        finally:
            browser.close()
    first, repeat = ([tuple(v) for v in load.values()] for load in loads)
    report_page("first load", first)
    report_page("repeat load (same browser)", repeat)
    if verbose:
        for row in repeat:
            print("   ", *row)
    gets = [url for url, _, _, method in first if method == "GET"]
    with httpx.Client(timeout=60) as client:
        plain = sum(fetch(client, "GET", url, "identity")[0] for url in gets)
        packed = sum(fetch(client, "GET", url, "gzip")[0] for url in gets)
    print(f"the first load's {len(gets)} GETs fetched again by httpx: identity {plain:,} B, "
          f"gzip {packed:,} B ({packed / plain:.0%})")


def report_page(name: str, seen: list[tuple[Any, ...]]) -> None:
    by_status: dict[str, int] = {}
    for _, status, _, _ in seen:
        by_status[str(status)] = by_status.get(str(status), 0) + 1
    total = sum(n for _, _, n, _ in seen)
    posts = sum(n for _, _, n, method in seen if method != "GET")
    static = sum(n for url, _, n, _ in seen if "/static/" in url)
    print(f"page {name}: {len(seen)} requests {by_status}, {total:,} B on the wire: "
          f"{static:,} B /static, {posts:,} B POST answers (convolve, predict)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true", help="skip the page load")
    parser.add_argument("--list", action="store_true", help="list the repeat load's requests")
    args = parser.parse_args()
    log = Path(tempfile.mkdtemp(prefix="wire-")) / "uvicorn.log"
    with live_server("uvicorn", log) as server:
        convolve_part(server.url)
        if not args.no_browser and Path(CHROMIUM).exists():
            page_part(server.url, args.list)


if __name__ == "__main__":
    main()
