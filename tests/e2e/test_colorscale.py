"""The page's colour scales are the contract's (docs/contracts.md "Colour scales"): the lookup
tables equal app/imaging/colormap.py's, and a map drawn in the lab is pixel-identical to the PNG
the server sends for the same request (Accept: image/png)."""

from __future__ import annotations

import io
import json

import httpx
import numpy as np
import pytest
from PIL import Image

from app.imaging.colormap import lut
from tests.e2e.lab_helpers import (
    open_lab,
    renders,
    set_number,
    spec_for,
    test_image_png,
    wait_render_after,
)

SOBEL_X = [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]


def test_page_luts_equal_the_server_luts(page, server_url):
    open_lab(page, server_url)
    luts = page.evaluate("import('/static/js/lib/colorscale.js').then(m => Object.fromEntries("
                         "Object.entries(m.LUTS).map(([k, v]) => [k, Array.from(v)])))")
    for name in ("diverging", "sequential", "gray"):
        want = lut(name)
        got = np.asarray(luts[name], dtype=np.uint8).reshape(-1, 3)
        assert got.shape == want.shape, name
        np.testing.assert_array_equal(got, want, err_msg=name)
    # Zero is the exact neutral middle of the diverging scale; −v and v are equally far from it.
    idx = page.evaluate("import('/static/js/lib/colorscale.js').then(m => {"
                        " const s = m.scaleFor(-4, 3);"
                        " return [s.toIndex(0), s.toIndex(-4), s.toIndex(4), s.toIndex(-1),"
                        " s.toIndex(1), s.css(0)]; })")
    assert idx == [127, 0, 254, 127 - 32, 127 + 32, "rgb(247, 247, 247)"]


@pytest.mark.parametrize("activation", ["none", "relu"])  # diverging (signed) / sequential map
def test_lab_map_pixels_equal_the_server_png(page, server_url, activation):
    png = test_image_png(40, 30)
    open_lab(page, server_url, f"?k=sobel-x&p=1&s=1&act={activation}&pool=none")
    before = renders(page)
    page.set_input_files("#lab-file", files=[{"name": "t.png", "mimeType": "image/png",
                                               "buffer": png}])
    wait_render_after(page, before)
    stage = "conv" if activation == "none" else "relu"
    rgba = page.locator(f"figure.stage[data-stage='{stage}'] canvas.map-canvas").evaluate(
        "c => ({w: c.width, h: c.height,"
        " px: Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)})")
    drawn = np.asarray(rgba["px"], dtype=np.uint8).reshape(rgba["h"], rgba["w"], 4)[..., :3]

    spec = spec_for(SOBEL_X, pad=1, activation=activation)
    r = httpx.post(f"{server_url}/api/convolve", files={"image": ("t.png", png, "image/png")},
                   data={"spec": json.dumps(spec)},
                   headers={"Accept": "image/png"}, timeout=30)
    assert r.status_code == 200, r.text
    served = np.asarray(Image.open(io.BytesIO(r.content)).convert("RGB"))
    assert served.shape == drawn.shape == (30, 40, 3)
    assert len({tuple(p) for p in served.reshape(-1, 3)}) >= 5  # a real map, not a flat one
    if activation == "none":
        np.testing.assert_array_equal(drawn, served)
    else:  # ReLU is derived in the page from the 8-bit conv values (docs/wire-values.md): a value
        # on a quantisation step may fall into the neighbouring palette entry, never further
        diff = np.abs(drawn.astype(int) - served.astype(int))
        assert diff.max() <= 3 and (diff.max(axis=-1) > 0).mean() <= 0.05


def _drawn(page, stage: str = "conv") -> np.ndarray:
    rgba = page.locator(f"figure.stage[data-stage='{stage}'] canvas.map-canvas").first.evaluate(
        "c => ({w: c.width, h: c.height,"
        " px: Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)})")
    return np.asarray(rgba["px"], dtype=np.uint8).reshape(rgba["h"], rgba["w"], 4)[..., :3]


def _served(server_url, png, kernel, **geometry) -> np.ndarray:
    spec = {**spec_for(kernel, pad=geometry.pop("pad", 1), stride=geometry.pop("stride", 1)),
            **geometry}
    r = httpx.post(f"{server_url}/api/convolve", files={"image": ("t.png", png, "image/png")},
                   data={"spec": json.dumps(spec)}, headers={"Accept": "image/png"}, timeout=30)
    assert r.status_code == 200, r.text
    return np.asarray(Image.open(io.BytesIO(r.content)).convert("RGB"))


CONV_CANVAS = "figure.stage[data-stage='conv'] canvas.map-canvas"


def _early(page) -> int:
    return int(page.get_attribute("#lab-pipeline", "data-early-conv") or 0)


def test_conv_computed_while_the_request_is_out_is_used_only_when_it_matches(page, server_url):
    """The lab starts the conv map from the previous answer's kernel while the request is out
    (index.js earlyConv): kept for a padding or stride change (same kernel), thrown away for a
    new kernel; in each case the drawn map equals the server's own picture."""
    png = test_image_png(40, 30)
    sobel_y = [[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]]
    open_lab(page, server_url, "?k=sobel-x&p=1&s=1&act=none&pool=none")
    before = renders(page)
    page.set_input_files("#lab-file", files=[{"name": "t.png", "mimeType": "image/png",
                                               "buffer": png}])
    wait_render_after(page, before)
    used = _early(page)
    page.evaluate(f"document.querySelector({CONV_CANVAS!r}).dataset.kept = 'yes'")
    before = renders(page)
    page.select_option("#lab-padmode", "edge")
    wait_render_after(page, before)
    assert _early(page) == used + 1
    np.testing.assert_array_equal(_drawn(page), _served(server_url, png, SOBEL_X, pad_mode="edge"))
    before = renders(page)
    set_number(page, "#lab-stride", 2)
    wait_render_after(page, before)
    assert _early(page) == used + 2
    # the same canvas element, drawn again in place (pipeline.js keeps them), at its new size
    kept = page.eval_on_selector(CONV_CANVAS, "c => [c.dataset.kept, c.width, c.height]")
    assert kept == ["yes", 20, 15]
    np.testing.assert_array_equal(_drawn(page), _served(server_url, png, SOBEL_X, stride=2,
                                                        pad_mode="edge"))
    before = renders(page)
    page.select_option("#lab-kernel", "sobel-y")
    wait_render_after(page, before)
    assert _early(page) == used + 2                      # another kernel: computed afresh
    np.testing.assert_array_equal(_drawn(page), _served(server_url, png, sobel_y, stride=2,
                                                        pad_mode="edge"))


def test_relu_and_pool_computed_while_the_request_is_out_are_kept_when_they_fit(page, server_url):
    """ReLU and pooling start from the early conv map too (compute.js early): kept for a padding
    change (same map size, same pool windows), recomputed when the pool windows change; the drawn
    pool map equals the server's own picture each time."""
    png = test_image_png(40, 30)
    open_lab(page, server_url, "?k=sobel-x&p=1&s=1&act=relu&pool=max&ps=2&pst=2")
    before = renders(page)
    page.set_input_files("#lab-file", files=[{"name": "t.png", "mimeType": "image/png",
                                               "buffer": png}])
    wait_render_after(page, before)
    kept = int(page.get_attribute("#lab-pipeline", "data-early-pool") or 0)
    pool2 = {"type": "max", "size": 2, "stride": 2}
    before = renders(page)
    page.select_option("#lab-padmode", "edge")
    wait_render_after(page, before)
    assert int(page.get_attribute("#lab-pipeline", "data-early-pool")) == kept + 1
    np.testing.assert_array_equal(
        _drawn(page, "pool"),
        _served(server_url, png, SOBEL_X, pad_mode="edge", activation="relu", pool=pool2))
    before = renders(page)
    set_number(page, "#lab-poolsize", 3)
    wait_render_after(page, before)
    assert int(page.get_attribute("#lab-pipeline", "data-early-pool")) == kept + 1  # new windows
    np.testing.assert_array_equal(
        _drawn(page, "pool"),
        _served(server_url, png, SOBEL_X, pad_mode="edge", activation="relu",
                pool={"type": "max", "size": 3, "stride": 2}))


PAINT_VS_INDEX = """async () => {
    const { scaleFor } = await import('/static/js/lib/colorscale.js');
    const values = [9, 9, 9, NaN, Infinity,   // the first three: before the offset
         -Infinity, 0, -0, 1e-9, -1e-9, 7, -7, 100, -100];
    for (let k = -600; k <= 600; k++) values.push(k / 64, k / 127, k * 0.5 / 127 * 4);   // ties
    const x = Float32Array.from(values);
    const out = {};
    for (const [name, lo, hi, kind] of [["div", -4, 3, null], ["seq", 0, 5, null],
        ["gray", -0.5, 2, "gray"], ["seqneg", -2, 5, "sequential"], ["flat", 2, 2, null],
        ["flatdiv", -0, 0, "diverging"]]) {
        const s = scaleFor(lo, hi, kind);
        const words = Uint32Array.from({ length: s.n }, (_, i) => i);   // word i = index i
        const painted = s.paint(x, 3, new Uint32Array(x.length - 3), words);
        const want = Array.from(x.subarray(3), (v) => s.toIndex(v));
        out[name] = [Array.from(painted), want];
    }
    return out;
}"""


def test_paint_draws_every_value_at_its_contract_index(page, server_url):
    """`scale.paint` (the one loop that draws a map) gives each value the index `toIndex` (the
    contract's formula) gives it: NaN as 0, ±∞ and out-of-range clipped, halves rounded away
    from the middle, a flat scale, an offset into the values."""
    open_lab(page, server_url)
    for name, (painted, want) in page.evaluate(PAINT_VS_INDEX).items():
        assert painted == want, name
        assert len(set(want)) >= (1 if name.startswith("flat") else 50), name
