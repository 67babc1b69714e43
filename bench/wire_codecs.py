"""How to code the lab's u8 conv map: predictors × deflate levels, and PNG (docs/wire-values.md).

The conv stage of the lab's default setup (sobel-x, pad 1; and a 5×5 Gaussian) on the bench's
photo-like JPEG (bench.api.photo_jpeg) at 256 px gray and 512 px RGB, as exact float32 from the
app (TestClient), quantised to 8-bit codes on the wire grid (app.services.values.grid). For each
predictor of the codes (per (H, W) plane: left = the row delta the API used before, up, Paeth,
MED = LOCO-I as in JPEG-LS) the zlib size at levels 1, 6 and 9 and the order-0 entropy of the
residual (a bound for any coder without context), plus Pillow's PNG (adaptive filters, level 9)
of the planes stacked. Prints KB (1024 B) of the conv map alone. Run: `python -m bench.wire_codecs`.
"""

from __future__ import annotations

import base64
import io
import json
import time
import zlib
from collections.abc import Callable

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from app.main import create_app
from app.services.values import grid
from bench.api import photo_jpeg
from bench.wire import lab_spec

Q = np.ndarray


def _left(q: Q) -> Q:
    r = q.copy()
    r[..., 1:] = np.diff(q, axis=-1)
    return r


def _up(q: Q) -> Q:
    r = _left(q[..., :1, :])
    return np.concatenate([r, np.diff(q, axis=-2)], axis=-2)


def _neighbours(q: Q) -> tuple[Q, Q, Q]:
    a = np.zeros_like(q)  # left
    b = np.zeros_like(q)  # up
    c = np.zeros_like(q)  # up-left
    a[..., :, 1:] = q[..., :, :-1]
    b[..., 1:, :] = q[..., :-1, :]
    c[..., 1:, 1:] = q[..., :-1, :-1]
    return a, b, c


def _paeth(q: Q) -> Q:
    a, b, c = _neighbours(q)
    p = a + b - c
    pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
    pred = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
    return q - pred


def _med(q: Q) -> Q:
    a, b, c = _neighbours(q)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    pred = np.where(c >= hi, lo, np.where(c <= lo, hi, a + b - c))
    return q - pred


PREDICTORS: dict[str, Callable[[Q], Q]] = {"left (before)": _left, "up": _up, "paeth": _paeth,
                                           "med": _med}


def entropy_bytes(r: Q) -> float:
    _, counts = np.unique(r, return_counts=True)
    p = counts / counts.sum()
    return float(-(counts * np.log2(p)).sum() / 8)


def png_bytes(q: Q) -> int:
    planes = q.reshape(-1, q.shape[-1]).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(planes, "L").save(buf, "PNG", compress_level=9)
    return len(buf.getvalue())


def conv_map(client: TestClient, side: int, color: str, kernel: object) -> Q:
    spec = {**lab_spec(side, color), "value_stages": ["conv"], "include_output": False}
    if kernel is not None:
        spec["kernel"] = kernel
    r = client.post("/api/convolve", files={
        "image": ("p.jpg", photo_jpeg(side, seed=1), "image/jpeg"),
        "spec": (None, json.dumps(spec), "application/json")})
    st = next(s for s in r.json()["stages"] if s["name"] == "conv")
    return np.frombuffer(base64.b64decode(st["values_b64"]), "<f4").reshape(st["shape"][-3:])


def codes(x: Q) -> Q:
    lo, step = grid(float(x.min()), float(x.max()), 255)
    return np.clip(np.rint((x.astype(np.float64) - lo) / step), 0, 255).astype(np.int64)


def main() -> None:
    kernels = {"sobel-x": None, "gaussian 5x5": {"id": "gaussian", "size": 5, "sigma": 1.0}}
    with TestClient(create_app()) as client:
        for side, color in ((256, "gray"), (512, "rgb")):
            for kname, kernel in kernels.items():
                q = codes(conv_map(client, side, color, kernel))
                print(f"\n{side} px {color}, {kname}: conv map {q.shape}, {q.size:,} codes")
                for name, pred in PREDICTORS.items():
                    t0 = time.perf_counter()
                    res = pred(q)
                    data = (res & 255).astype(np.uint8).tobytes()
                    ms = (time.perf_counter() - t0) * 1000
                    sizes = [len(zlib.compress(data, lv)) / 1024 for lv in (1, 6, 9)]
                    t1 = time.perf_counter()
                    zlib.compress(data, 1)
                    z1 = (time.perf_counter() - t1) * 1000
                    print(f"  {name:14} zlib1 {sizes[0]:6.1f}  zlib6 {sizes[1]:6.1f}  zlib9 "
                          f"{sizes[2]:6.1f} KB  entropy {entropy_bytes(res & 255) / 1024:6.1f} KB"
                          f"  (predict {ms:4.1f} ms, zlib1 {z1:4.1f} ms)")
                print(f"  {'PNG (Pillow)':14} {png_bytes(q) / 1024:6.1f} KB (adaptive filters, "
                      "level 9)")


if __name__ == "__main__":
    main()
