"""Structure view (slides 4–5): the CNN's layers drawn with GET /api/models/{id}'s shapes and
parameter counts; the flattening of 28×28 into 784."""

from __future__ import annotations

import json
from typing import Any

import httpx
from views_helpers import open_view, runs, wait_runs

VIEW = "structure"


def test_layer_shapes_equal_the_models_api(page: Any, server_url: str, shot: Any) -> None:
    models = httpx.get(f"{server_url}/api/models").json()["models"]
    ids = [m["id"] for m in models]
    assert "simple-convnet" in ids
    open_view(page, server_url, VIEW)
    root = page.locator(f'section[data-view="{VIEW}"]')
    assert (
        root.locator("[data-role=model] option").evaluate_all("os => os.map(o => o.value)") == ids
    )
    # the book's SimpleConvNet first (not the alphabetically first color-vgg)
    assert root.locator("[data-role=model]").input_value() == "simple-convnet"
    for model_id in [*(i for i in ids if i != "simple-convnet"), "simple-convnet"]:  # every model
        n = runs(page, VIEW)
        if root.locator("[data-role=model]").input_value() != model_id:
            root.locator("[data-role=model]").select_option(model_id)
            wait_runs(page, VIEW, n)
        detail = httpx.get(f"{server_url}/api/models/{model_id}").json()
        drawn = root.locator(".vw-layer").evaluate_all(
            "ls => ls.map(l => [l.dataset.name, JSON.parse(l.dataset.shape),"
            " Number(l.dataset.params)])"
        )
        assert drawn == [
            [layer["name"], layer["output_shape"], layer["params"]] for layer in detail["layers"]
        ]
        total = sum(layer["params"] for layer in detail["layers"])
        assert f"{total:,}" in root.locator("[data-role=total]").inner_text()
    simple = httpx.get(f"{server_url}/api/models/simple-convnet").json()["layers"]
    conv = next(layer for layer in simple if layer["type"] == "conv")
    assert conv["output_shape"] == [30, 24, 24]  # the book's SimpleConvNet
    assert json.loads(root.locator(".vw-layer-conv").first.get_attribute("data-shape")) == [
        30,
        24,
        24,
    ]
    text = root.locator("[data-role=flat-text]").inner_text()
    assert "406" in text and "434" in text  # pixel (14, 14) → 14·28 + 14; below → +28
    shot(page, "views-structure-en", full_page=True)
