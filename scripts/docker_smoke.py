"""Smoke-test a running ConvScope server (the Docker image in CI): `python docker_smoke.py URL`.

Checks: /api/health 200 (polled until up, 60 s at most); the book's 4×4 * 3×3 example through
JSON convolve → 200, shape [1, 1, 2, 2], output [[15, 16], [6, 15]]; the page and a static file
200; the shipped models listed and one prediction (10 probabilities summing to 1); an upload
declaring 11 MiB → 413 in the error shape. Standard library only.
"""

from __future__ import annotations

import json
import socket
import sys
import time
import urllib.error
import urllib.request


def call(method: str, url: str, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """(status, body) of one request; HTTP errors are returned, not raised."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def wait_healthy(base: str, deadline_s: float = 60.0) -> dict:
    """Poll /api/health until 200."""
    end = time.monotonic() + deadline_s
    while True:
        try:
            status, body = call("GET", base + "/api/health")
            if status == 200:
                return json.loads(body)
        except OSError:
            pass
        if time.monotonic() > end:
            raise SystemExit(f"smoke: {base}/api/health not 200 within {deadline_s:.0f} s")
        time.sleep(0.25)


def check(label: str, ok: bool, detail: object) -> None:
    print(f"smoke: {'ok  ' if ok else 'FAIL'} {label}: {detail}")
    if not ok:
        raise SystemExit(1)


def main(base: str) -> None:
    health = wait_healthy(base)
    check("GET /api/health", health.get("status") == "ok", health)
    body = json.dumps({"input": [[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]],
                       "spec": {"kernel": [[2, 0, 1], [0, 1, 2], [1, 0, 2]]}}).encode()
    status, raw = call("POST", base + "/api/convolve", body, {"Content-Type": "application/json"})
    out: dict = json.loads(raw) if status == 200 else {"error": raw[:200].decode(errors="replace")}
    check("POST /api/convolve (book example)",
          status == 200 and out["shape"] == [1, 1, 2, 2]
          and out["output"] == [[[[15, 16], [6, 15]]]],
          f"{status} shape={out.get('shape', out.get('error'))}")
    status, raw = call("GET", base + "/")
    check("GET / (page)", status == 200 and b"<html" in raw.lower(), f"{status}, {len(raw)} bytes")
    status, raw = call("GET", base + "/static/js/main.js")
    check("GET /static/js/main.js", status == 200 and len(raw) > 0, f"{status}, {len(raw)} bytes")
    status, raw = call("GET", base + "/api/models")
    ids = [m["id"] for m in json.loads(raw)["models"]] if status == 200 else []
    check("GET /api/models (weights inside the image)", bool(ids), f"{status} {ids}")
    digit = [[1.0 if 6 <= abs(r - 14) + abs(c - 14) <= 8 else 0.0 for c in range(28)]
             for r in range(28)]
    mid = "simple-convnet" if "simple-convnet" in ids else ids[0]  # a digit model (28×28 gray)
    status, raw = call("POST", f"{base}/api/models/{mid}/predict",
                       json.dumps({"input": digit, "previews": False}).encode(),
                       {"Content-Type": "application/json"})
    probs = json.loads(raw).get("probabilities", []) if status == 200 else []
    check(f"POST /api/models/{mid}/predict", status == 200 and len(probs) == 10
          and abs(sum(probs) - 1) < 1e-3, f"{status}, {len(probs)} probabilities")
    status, code = oversize_upload(base, 11 * 1024 * 1024)
    check("POST /api/convolve declaring an 11 MiB upload", status == 413, f"{status} {code}")


def oversize_upload(base: str, size: int) -> tuple[int, str]:
    """Send only the headers of a `size`-byte multipart upload; the server answers before the body.

    (Sending the body would race the server closing the connection after its 413.)
    """
    host, _, port = base.split("://", 1)[1].partition(":")
    with socket.create_connection((host, int(port or 80)), timeout=30) as sock:
        sock.sendall((f"POST /api/convolve HTTP/1.1\r\nHost: {host}\r\n"
                      f"Content-Type: multipart/form-data; boundary=b\r\n"
                      f"Content-Length: {size}\r\n\r\n").encode())
        raw = b""
        while b"\r\n\r\n" not in raw or not raw.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split()[1]) if head else 0
    return status, json.loads(body).get("error", {}).get("code", "") if body else ""

if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"))
