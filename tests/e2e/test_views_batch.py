"""Batch view (slide 14): N images in one request, (N, C, H, W) → (N, FN, OH, OW)."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
from PIL import Image
from views_helpers import open_view, runs, wait_runs

VIEW = "batch"


def test_batch_shapes_and_grid_match_the_api(
    page: Any, server_url: str, shot: Any, tmp_path: Any
) -> None:
    open_view(page, server_url, VIEW)
    root = page.locator(f'section[data-view="{VIEW}"]')
    n_checked = root.locator("input[type=checkbox]:checked").count()
    blocks = root.locator("[data-role=blocks]")
    assert json.loads(blocks.get_attribute("data-in-shape")) == [n_checked, 1, 96, 96]
    assert json.loads(blocks.get_attribute("data-out-shape")) == [n_checked, 2, 96, 96]
    assert root.locator(".vw-batchrow[data-n]").count() == n_checked
    shot(page, "views-batch-en", full_page=True)

    # One more image (an upload) and stride 2: the request's answer and the drawing agree.
    path = tmp_path / "stripes.png"
    img = np.zeros((40, 60, 3), dtype=np.uint8)
    img[:, ::6] = (255, 40, 40)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    path.write_bytes(buf.getvalue())
    answers: list[Any] = []
    page.on(
        "response",
        lambda r: (
            answers.append(r)
            if r.url.endswith("/api/convolve") and r.request.method == "POST"
            else None
        ),
    )
    before = runs(page, VIEW)
    root.locator("[data-role=stride]").fill("2")
    root.locator("[data-role=stride]").press("Tab")
    root.locator("[data-role=files]").set_input_files(str(path))
    wait_runs(page, VIEW, before)
    body = answers[-1].json()
    n = n_checked + 1
    # The last answer is the one drawn.
    assert json.loads(blocks.get_attribute("data-out-shape")) == body["shape"] == [n, 2, 48, 48]
    assert root.locator(".vw-batchrow[data-n]").count() == n
    assert root.locator("[data-role=blocks] .vw-shape").all_inner_texts() == [
        f"({n}, 1, 96, 96)",
        "(2, 1, 3, 3)",
        f"({n}, 2, 48, 48)",
    ]
