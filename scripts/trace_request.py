"""Which app modules one `POST /api/convolve` with an uploaded image runs code in.

A profiler hook (every thread) records the module of every Python function called while the
request is served in process (TestClient); modules only imported, not run, are not counted.
`python scripts/trace_request.py` prints them.
"""

from __future__ import annotations

import io
import sys
import threading
from typing import Any

import numpy as np
from PIL import Image

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402

from app.main import create_app  # noqa: E402


def main() -> None:
    buf = io.BytesIO()
    Image.fromarray((np.arange(64 * 64) % 251).astype(np.uint8).reshape(64, 64)).save(buf, "PNG")
    seen: set[str] = set()

    def hook(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            name = frame.f_globals.get("__name__", "")
            if name.startswith("app.") or name == "app":
                seen.add(name)

    files = {"image": ("a.png", buf.getvalue(), "image/png")}
    with TestClient(create_app()) as warm:  # lazy imports and caches, in another app
        warm.post("/api/convolve", files=files, data={"spec": '{"kernel": "sobel-x"}'})
    client = TestClient(create_app())  # no `with`: the request's threads start after the hook
    client.get("/api/models")  # the model store is loaded lazily by the first call using it
    threading.setprofile(hook)
    sys.setprofile(hook)
    try:
        r = client.post("/api/convolve", files=files,
                        data={"spec": '{"kernel": "sobel-x", "pad": 1}'})
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
    assert r.status_code == 200, r.text
    web = sorted(m for m in seen if not m.startswith("app.engine"))
    engine = sorted(m for m in seen if m.startswith("app.engine"))
    print(f"{len(seen)} app modules run ({len(web)} outside the engine):")
    print("  web:    " + ", ".join(web))
    print("  engine: " + ", ".join(engine))


if __name__ == "__main__":
    main()
