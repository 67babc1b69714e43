"""Helpers shared by the filter-lab browser tests (test_lab*.py)."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from app.services.values import dequantise

READY = "body[data-ready='true'] #lab-pipeline figure.stage[data-stage='conv']"


def test_image_png(w: int = 40, h: int = 30) -> bytes:
    """A gray test image drawn here: dark background, a bright rectangle and a disc (H=h, W=w)."""
    img = Image.new("L", (w, h), 30)
    d = ImageDraw.Draw(img)
    d.rectangle([6, 5, 18, 20], fill=220)
    d.ellipse([22, 8, 36, 24], fill=160)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


test_image_png.__test__ = False  # type: ignore[attr-defined]  # not a test despite the name


def open_lab(page: Any, server_url: str, query: str = "") -> None:
    """Open the page and wait until the lab has drawn its pipeline."""
    page.goto(f"{server_url}/{query}")
    page.wait_for_selector(READY)


def renders(page: Any) -> int:
    return int(page.get_attribute("#lab-pipeline", "data-renders") or 0)


def wait_render_after(page: Any, before: int) -> None:
    """Wait until the pipeline was drawn again after `before` renders and nothing is pending.

    Selectors, not page.wait_for_function: the page's CSP (script-src 'self') forbids the eval
    that Playwright's predicate polling needs.
    """
    page.wait_for_selector(
        f'#lab-pipeline[aria-busy="false"]:not([data-renders="{before}"])', state="attached")


def wait_shape(page: Any, stage: str, shape: list[int]) -> None:
    """Wait until the drawn `stage` is (C, H, W) == shape."""
    value = ",".join(str(n) for n in shape)
    page.wait_for_selector(f'#lab-pipeline[data-shape-{stage}="{value}"]', state="attached")


def shapes(page: Any) -> dict[str, list[int]]:
    """{"input": [C, H, W], "conv": [...], ...} of the drawn pipeline."""
    return json.loads(page.get_attribute("#lab-pipeline", "data-shapes"))


def set_number(page: Any, selector: str, value: int | float) -> None:
    page.fill(selector, str(value))


def read_bytes(path: Any) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def spec_for(kernel: list[list[float]], *, bias: float = 0, pad: int = 0, stride: int = 1,
             dilation: int = 1, pool: dict | None = None, activation: str = "none",
             color: str = "gray") -> dict[str, Any]:
    """The same spec the page sends (static/js/views/lab/index.js specOf)."""
    return {"kernel": kernel, "bias": bias, "stride": stride, "pad": pad, "pad_mode": "zeros",
            "dilation": dilation, "depthwise": color == "rgb", "color": color,
            "activation": activation, "max_side": 256, "include_values": True, "pool": pool}


def stage_values(response: dict[str, Any], name: str) -> np.ndarray:
    """A stage's values_b64 as a float32 array shaped like the stage (N, C, H, W)."""
    stage = next(s for s in response["stages"] if s["name"] == name)
    fmt = stage.get("values_format") or "f32"
    if fmt != "f32":   # the 8-bit maps the page draws from (spec values_format, lab's default)
        return dequantise(base64.b64decode(stage["values_b64"]), tuple(stage["shape"]), fmt,
                          stage["values_lo"], stage["values_step"])
    raw = np.frombuffer(base64.b64decode(stage["values_b64"]), dtype="<f4")
    return raw.reshape(stage["shape"])


DRAWN = {"values_format": "f32"}
"""Spec keys that give the values the page draws its maps from (docs/wire-values.md): exact, as
the page computes the maps itself from the exact input (lib/maps.js) when the work is small."""
