"""The request mix of the load test: what a class of students' pages send, made once up front."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np
from PIL import Image


@dataclass(frozen=True)
class Op:
    """One kind of request: its share of the mix and the httpx.request kwargs."""

    name: str
    weight: float
    kwargs: dict[str, Any]


def photo_jpeg(side: int = 256, seed: int = 0) -> bytes:
    """A smooth RGB test picture with edges and noise, as a JPEG (quality 85)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:side, 0:side] / side
    rgb = np.stack([np.sin(6 * xx) * 0.5 + 0.5, yy, ((xx - 0.5) ** 2 + (yy - 0.5) ** 2 < 0.1)],
                   axis=-1)
    rgb = np.clip(rgb + rng.normal(0, 0.03, rgb.shape), 0, 1)
    buf = io.BytesIO()
    Image.fromarray((rgb * 255).astype(np.uint8)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def digit(seed: int = 0) -> list[list[float]]:
    """A 28×28 input in [0, 1]: a white ring on black, roughly a zero."""
    yy, xx = np.mgrid[0:28, 0:28]
    r = np.hypot(yy - 14, xx - 14)
    img = np.clip(1.5 - np.abs(r - 7) / 1.5, 0, 1)
    return np.round(img, 3).tolist()


def build_mix(url: str) -> list[Op]:
    """GET /api/kernels, JSON convolve, image convolve and a model prediction."""
    models = httpx.get(url + "/api/models", timeout=10).json()["models"]
    mnist = next((m for m in models if m.get("input_shape", [1, 28, 28])[-1] == 28), models[0])
    rng = np.random.default_rng(1)
    conv_json = {"input": rng.random((28, 28)).round(3).tolist(),
                 "spec": {"kernel": "sobel-x", "pad": 1, "activation": "relu",
                          "pool": {"type": "max", "size": 2}}}
    conv_image = {"kernel": {"id": "gaussian", "size": 5, "sigma": 1.2}, "pad": 2,
                  "color": "rgb", "depthwise": True, "activation": "none",
                  "pool": {"type": "max", "size": 2}}
    return [
        Op("GET /api/kernels", 0.25, {"method": "GET", "url": "/api/kernels"}),
        Op("POST /api/convolve json", 0.30,
           {"method": "POST", "url": "/api/convolve", "json": conv_json}),
        Op("POST /api/convolve image", 0.30,
           {"method": "POST", "url": "/api/convolve",
            "files": {"image": ("photo.jpg", photo_jpeg(), "image/jpeg")},
            "data": {"spec": json.dumps(conv_image)}}),
        Op(f"POST /api/models/{mnist['id']}/predict", 0.15,
           {"method": "POST", "url": f"/api/models/{mnist['id']}/predict",
            "json": {"input": digit(), "previews": True}}),
    ]


def chooser(mix: list[Op], seed: int) -> Callable[[], Op]:
    """A seeded random choice of Op by weight."""
    rng = np.random.default_rng(seed)
    weights = np.array([op.weight for op in mix])
    weights /= weights.sum()
    return lambda: mix[int(rng.choice(len(mix), p=weights))]
