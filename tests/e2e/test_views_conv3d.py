"""3-D convolution view (slides 11–13): the partial maps, their sum + bias, against the API."""

from __future__ import annotations

from typing import Any

import numpy as np
from views_helpers import convolve_images, open_view, runs, sample_png, stage, wait_runs

VIEW = "conv3d"


def _bank(root: Any, fn: int, k: int) -> tuple[list[Any], list[float]]:
    """The filter bank (FN, 3, k, k) and the biases as the page's inputs hold them."""
    bank = [
        [
            [
                [
                    float(root.locator(f'[data-role="w-{f}-{c}"] td[data-r="{i}"][data-c="{j}"]')
                          .get_attribute("data-v"))
                    for j in range(k)
                ]
                for i in range(k)
            ]
            for c in range(3)
        ]
        for f in range(fn)
    ]
    biases = [float(root.locator(f'[data-role="bias-{f}"]').input_value()) for f in range(fn)]
    return bank, biases


def test_conv3d_partials_sum_plus_bias_equal_the_api(page: Any, server_url: str, shot: Any) -> None:
    open_view(page, server_url, VIEW)
    root = page.locator(f'section[data-view="{VIEW}"]')
    fn = int(root.locator("[data-role=fn]").input_value())
    k = int(root.locator("[data-role=size]").input_value())
    pad = int(root.locator("[data-role=pad]").input_value())
    stride = int(root.locator("[data-role=stride]").input_value())
    bank, biases = _bank(root, fn, k)
    png = sample_png(server_url)
    spec = {"color": "rgb", "max_side": 128, "pad": pad, "stride": stride}
    out = stage(
        convolve_images(server_url, [png], {**spec, "kernel": bank, "bias": biases}), "conv"
    )[0]
    one_channel = [
        [w if c2 == c else np.zeros_like(w).tolist() for c2, w in enumerate(bank[f])]
        for f in range(fn)
        for c in range(3)
    ]
    parts = stage(
        convolve_images(server_url, [png], {**spec, "kernel": one_channel, "bias": 0}), "conv"
    )[0]
    assert fn == 2 and out.shape[0] == fn
    for f in range(fn):
        line = root.locator(f'[data-role="probe-{f}"]')
        y, x = int(line.get_attribute("data-y")), int(line.get_attribute("data-x"))
        partials = [float(v) for v in line.get_attribute("data-partials").split(",")]
        np.testing.assert_allclose(partials, parts[3 * f : 3 * f + 3, y, x], atol=1e-5)
        assert abs(sum(partials) + biases[f] - out[f, y, x]) < 1e-5
        assert abs(float(line.get_attribute("data-api")) - out[f, y, x]) < 1e-6
        assert f"{out[f, y, x]:.4f}".replace("-", "−") in line.inner_text()
        assert float(root.locator(f'[data-role="check-{f}"]').get_attribute("data-diff")) < 1e-5
    y0, x0 = (
        int(root.locator('[data-role="probe-0"]').get_attribute(a)) for a in ("data-y", "data-x")
    )
    assert out[0, y0, x0] != 0  # the probe starts where filter 1 answers, not on a flat area
    shot(page, "views-conv3d-en", full_page=True)

    # Editing the bias of filter 1 moves the server's output by exactly that much.
    before = runs(page, VIEW)
    root.locator('[data-role="bias-0"]').fill("0.25")
    wait_runs(page, VIEW, before)
    line = root.locator('[data-role="probe-0"]')
    assert abs(float(line.get_attribute("data-api")) - (out[0, y0, x0] + 0.25)) < 1e-5
    assert float(line.get_attribute("data-bias")) == 0.25


def test_conv3d_shapes_drawn_as_blocks(page: Any, server_url: str) -> None:
    open_view(page, server_url, VIEW)
    root = page.locator(f'section[data-view="{VIEW}"]')
    labels = root.locator("[data-role=blocks] .vw-shape").all_inner_texts()
    resp = convolve_images(
        server_url,
        [sample_png(server_url)],
        {"color": "rgb", "max_side": 128, "pad": 1, "kernel": "sobel-x"},
    )
    _, c, h, w = next(s for s in resp["stages"] if s["name"] == "input")["shape"]
    _, _, oh, ow = resp["shape"]
    assert labels == [
        f"({c}, {h}, {w})",
        f"(2, {c}, 3, 3)",
        f"(2, {oh}, {ow})",
        "(2, 1, 1)",
        f"(2, {oh}, {ow})",
    ]


def test_editing_one_channel_kernel_changes_only_that_partial(page: Any, server_url: str) -> None:
    """Centre weight of filter 1's red kernel += 1: the red partial at (y, x) grows by R[y, x]."""
    open_view(page, server_url, VIEW)
    root = page.locator(f'section[data-view="{VIEW}"]')
    line = root.locator('[data-role="probe-0"]')
    y, x = int(line.get_attribute("data-y")), int(line.get_attribute("data-x"))
    before = [float(v) for v in line.get_attribute("data-partials").split(",")]
    weight = root.locator('[data-role="w-0-0"] td[data-r="1"][data-c="1"]')   # a keyboard grid
    old = float(weight.get_attribute("data-v"))
    n = runs(page, VIEW)
    weight.click()
    page.keyboard.type(f"{old + 1:g}")   # typing starts the edit; Enter commits it
    page.keyboard.press("Enter")
    wait_runs(page, VIEW, n)
    assert float(weight.get_attribute("data-v")) == old + 1
    rgb = stage(
        convolve_images(
            server_url, [sample_png(server_url)], {"color": "rgb", "max_side": 128, "kernel": [[1]]}
        ),
        "input",
    )[0]
    after = [float(v) for v in line.get_attribute("data-partials").split(",")]
    assert abs(after[0] - (before[0] + rgb[0, y, x])) < 1e-5  # pad 1, stride 1: centre ↔ (y, x)
    assert after[1:] == before[1:]
    total = float(line.get_attribute("data-total"))
    assert abs(total - float(line.get_attribute("data-api"))) < 1e-5


def test_filter_bank_is_one_tab_stop_per_kernel_grid(page: Any, server_url: str) -> None:
    """FN = 2 filters: per filter a preset, a bias and 3 channel grids (one Tab stop each), and
    arrow keys move inside a grid (issue 12: keyboard grids, one Tab stop per grid)."""
    open_view(page, server_url, VIEW)
    root = page.locator(f'section[data-view="{VIEW}"]')
    stops = root.locator("[data-role=bank]").evaluate(
        """b => [...b.querySelectorAll('input, select, button, [tabindex]')]
                 .filter((e) => e.tabIndex >= 0 && !e.disabled).length""")
    fn = int(root.locator("[data-role=fn]").input_value())
    assert fn == 2 and stops == fn * (2 + 3)
    grid = root.locator('[data-role="w-0-1"]')
    assert grid.get_attribute("role") == "grid"
    grid.locator('td[data-r="0"][data-c="0"]').click()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("[document.activeElement.dataset.r, document.activeElement.dataset.c]")
    assert focused == ["1", "1"]
