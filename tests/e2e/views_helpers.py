"""Helpers of the teaching-view browser tests: open a view, wait for its runs, call the API."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import numpy as np

SOBEL_X = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
SOBEL_Y = [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]


def runs(page: Any, view: str) -> int:
    """How many computations the view has completed (section[data-runs])."""
    value = page.eval_on_selector(f'section[data-view="{view}"]', "s => s.dataset.runs || '0'")
    return int(value)


def wait_runs(page: Any, view: str, more_than: int = 0) -> None:
    """Wait until the view has completed more than `more_than` computations."""
    page.wait_for_function(
        '([v, n]) => Number(document.querySelector(`section[data-view="${v}"]`)'
        "?.dataset.runs || 0) > n",
        arg=[view, more_than],
        timeout=30000,
    )


def open_view(page: Any, server_url: str, view: str, lang: str = "en", query: str = "") -> None:
    """Open the page on one view (tab) with the shapes sample and wait for its first result."""
    page.goto(f"{server_url}/?view={view}&lang={lang}&img=shapes{query}")
    page.wait_for_selector("body[data-ready=true]", timeout=30000)
    wait_runs(page, view)


def values(stage: dict[str, Any]) -> np.ndarray:
    """A stage's values_b64 (little-endian float32) as an array of its shape."""
    raw = base64.b64decode(stage["values_b64"])
    return np.frombuffer(raw, dtype="<f4").reshape(stage["shape"])


def stage(resp: dict[str, Any], name: str) -> np.ndarray:
    """The named stage of a convolve response, decoded."""
    return values(next(s for s in resp["stages"] if s["name"] == name))


def sample_png(server_url: str, sample: str = "shapes") -> bytes:
    r = httpx.get(f"{server_url}/api/samples/{sample}.png", timeout=30)
    r.raise_for_status()
    return r.content


def convolve_images(server_url: str, pngs: list[bytes], spec: dict[str, Any]) -> dict[str, Any]:
    """POST /api/convolve, multipart: one `image` part per PNG; values included."""
    files = [("image", (f"img{i}.png", png, "image/png")) for i, png in enumerate(pngs)]
    r = httpx.post(
        f"{server_url}/api/convolve",
        files=files,
        timeout=60,
        data={"spec": json.dumps({**spec, "include_values": True})},
    )
    assert r.status_code == 200, r.text
    return r.json()


def convolve_array(server_url: str, array: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """POST /api/convolve with a JSON array input; values included."""
    body = {"input": np.asarray(array).tolist(), "spec": {**spec, "include_values": True}}
    r = httpx.post(f"{server_url}/api/convolve", json=body, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def gray_input(server_url: str, sample: str = "shapes", max_side: int = 96) -> np.ndarray:
    """The sample as the API decodes it in gray: (H, W) float32 in [0, 1]."""
    resp = convolve_images(
        server_url,
        [sample_png(server_url, sample)],
        {"color": "gray", "kernel": [[1]], "max_side": max_side},
    )
    return stage(resp, "input")[0, 0]


def number(text: str) -> float:
    """A number as the page prints it ("−" as the minus sign)."""
    return float(text.replace("−", "-").strip())


SHIFT_MARGIN = 2  # the pooling view's shift experiment crops this many columns on the left
SHIFT_SPEC = {"kernel": "sobel-x", "pad": 1, "activation": "relu",
              "pool": {"type": "max", "size": 2, "stride": 2}}


def shift_experiment(page: Any, server_url: str) -> tuple[Any, Any]:
    """Open the pooling view; → (its section, shifted(k)) where shifted(k) is the API's answer
    for the sample moved k pixels right, as the view's shift experiment computes it."""
    open_view(page, server_url, "pooling")
    x = gray_input(server_url, max_side=96)
    w = x.shape[1]

    def shifted(k: int) -> dict[str, Any]:
        return convolve_array(server_url, x[:, SHIFT_MARGIN - k : w - k], SHIFT_SPEC)

    return page.locator('section[data-view="pooling"]'), shifted
