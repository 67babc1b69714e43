"""Bytes per control change in the lab: how stage values travel (docs/wire-values.md).

In process (the app's own gzip middleware, level 1, through Starlette's TestClient): a
photo-like JPEG (bench.api.photo_jpeg) already at the working size, as the page uploads it
after shrinking it, convolved with the lab's default setup (sobel-x, pad 1, ReLU, 2×2 max
pooling) and with a 5×5 Gaussian, at 256 px gray and 512 px RGB (depthwise). For each way of
sending the values, the bytes of one later change: the request (multipart: image_ref + spec)
plus the response (headers + body as received, gzip or identity).
Run: `python -m bench.wire_values` (a few seconds).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from app.main import create_app
from bench.api import photo_jpeg
from bench.wire import lab_spec, wire_bytes

WAYS: dict[str, dict[str, Any]] = {
    "f32 every stage (before)": {},
    "f32 conv+relu+pool": {"value_stages": ["conv", "relu", "pool"]},
    "f32 conv+pool": {"value_stages": ["conv", "pool"]},
    "u16 conv+pool": {"value_stages": ["conv", "pool"], "values_format": "u16"},
    "u8 conv+relu+pool": {"value_stages": ["conv", "relu", "pool"], "values_format": "u8"},
    "u8 conv+pool": {"value_stages": ["conv", "pool"], "values_format": "u8"},
    "u8 conv only": {"value_stages": ["conv"], "values_format": "u8"},
    "u8 conv+pool, no output": {"value_stages": ["conv", "pool"], "values_format": "u8",
                                "include_output": False},
    "no values (page computes)": {"value_stages": [], "values_format": "u8",
                                  "include_output": False},
}
KERNELS = {"sobel-x": None, "gaussian 5x5": {"id": "gaussian", "size": 5, "sigma": 1.0}}


def _form(spec: dict[str, Any], ref: str) -> dict[str, tuple[None, str, str]]:
    return {"spec": (None, json.dumps(spec), "application/json"),
            "image_ref": (None, ref, "text/plain")}


def main() -> None:
    with TestClient(create_app()) as client:
        for side, color in ((256, "gray"), (512, "rgb")):
            jpeg = photo_jpeg(side, seed=1)
            base = lab_spec(side, color)
            first = client.post("/api/convolve", files={
                "image": ("p.jpg", jpeg, "image/jpeg"),
                "spec": (None, json.dumps(base), "application/json")})
            ref = first.json()["image_ref"]
            print(f"\n{side} px {color}: upload {len(jpeg):,} B JPEG, first answer "
                  f"{wire_bytes(first):,} B (gzip)")
            for kname, kernel in KERNELS.items():
                for way, extra in WAYS.items():
                    spec = {**base, **extra, **({"kernel": kernel} if kernel else {})}
                    sent = sum(len(v[1]) for v in _form(spec, ref).values()) + 400
                    row = []
                    for enc in ("gzip", "identity"):
                        r = client.post("/api/convolve", files=_form(spec, ref),
                                        headers={"Accept-Encoding": enc})
                        assert r.status_code == 200, r.text
                        row.append(wire_bytes(r) + sent)
                    print(f"  {kname:13} {way:26} gzip {row[0] / 1024:7.1f} KB   "
                          f"identity {row[1] / 1024:7.1f} KB")


if __name__ == "__main__":
    main()
