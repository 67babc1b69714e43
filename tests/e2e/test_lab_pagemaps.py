"""The lab's maps computed in the page (static/js/lib/maps.js) against the NumPy engine: the
server's exact float32 conv and pooling for the same input, kernel and geometry, in Chromium,
over the padding modes, stride, dilation, RGB depthwise and summed, max and average pooling."""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
import pytest

from bench.api import photo_jpeg
from tests.e2e.lab_helpers import READY, renders, wait_render_after

pytestmark = pytest.mark.e2e

COMPUTE = """async ([input, resp, padMode, poolType]) => {
    const maps = await import("/static/js/lib/maps.js");
    const { padInput } = await import("/static/js/views/lab/pipeline.js");
    const [C, H, W] = input.shape;
    const g = resp.geometry;
    const padded = padInput({ C, H, W, values: Float32Array.from(input.values) },
                            g.pad[0], g.pad[1], padMode);
    const conv = maps.convMap(padded, resp.kernel, resp.bias, g, Boolean(resp.kernel.depthwise));
    const [FN, OH, OW] = resp.conv_shape;
    const pool = resp.pool_geometry
        ? maps.poolMap(conv.map((v) => (v > 0 ? v : 0)), FN, OH, OW, resp.pool_geometry, poolType)
        : null;
    return { conv: Array.from(conv), pool: pool && Array.from(pool) };
}"""

SOBEL_X = [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]
CASES = [
    ({"kernel": SOBEL_X, "pad": 1, "pad_mode": "zeros", "color": "gray"}, "max", 2, 2),
    ({"kernel": SOBEL_X, "pad": 2, "pad_mode": "edge", "stride": 2, "color": "gray"}, "avg", 3, 2),
    ({"kernel": {"id": "gaussian", "size": 5, "sigma": 1.0}, "pad": 3, "pad_mode": "reflect",
      "dilation": 2, "color": "gray", "bias": 0.25}, "max", 3, 3),
    ({"kernel": SOBEL_X, "pad": 1, "pad_mode": "reflect", "color": "rgb", "depthwise": True},
     "max", 2, 2),
    ({"kernel": [[0.5, -1.0], [0.25, 2.0]], "pad": 1, "pad_mode": "edge", "color": "rgb",
      "depthwise": False, "stride": 3, "bias": -0.5}, "avg", 2, 1),
]


def _values(stage: dict[str, Any]) -> np.ndarray:
    return np.frombuffer(base64.b64decode(stage["values_b64"]), "<f4").reshape(stage["shape"][-3:])


@pytest.mark.parametrize(("extra", "pool", "size", "stride"), CASES)
def test_page_maps_match_the_engine(page: Any, server_url: str, extra: dict[str, Any], pool: str,
                                    size: int, stride: int) -> None:
    page.goto(f"{server_url}/")
    page.wait_for_selector(READY)
    spec = {"bias": 0, "stride": 1, "dilation": 1, "depthwise": False, "activation": "relu",
            "max_side": 48, "include_values": True, "previews": False, **extra,
            "pool": {"type": pool, "size": size, "stride": stride}}
    r = page.request.post(f"{server_url}/api/convolve", multipart={
        "image": {"name": "p.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg(48, seed=2)},
        "spec": json.dumps(spec)})
    assert r.ok, r.text()
    body = r.json()
    st = {s["name"]: s for s in body["stages"]}
    x, conv, pooled = _values(st["input"]), _values(st["conv"]), _values(st["pool"])
    got = page.evaluate(COMPUTE, [
        {"shape": list(x.shape), "values": x.reshape(-1).tolist()},
        {"geometry": body["geometry"], "pool_geometry": body["pool_geometry"],
         "kernel": body["kernel"], "bias": body["bias"], "conv_shape": list(conv.shape)},
        spec["pad_mode"], pool])
    page_conv = np.asarray(got["conv"], np.float32).reshape(conv.shape)
    page_pool = np.asarray(got["pool"], np.float32).reshape(pooled.shape)
    assert conv.shape[0] == (3 if extra.get("depthwise") else 1)
    np.testing.assert_allclose(page_conv, conv, rtol=0, atol=1e-5)
    np.testing.assert_allclose(page_pool, pooled, rtol=0, atol=1e-5)
    assert np.abs(conv).max() > 0.1                     # not a trivially flat map


INDICES = """async (values) => {
    const { scaleFor } = await import("/static/js/lib/colorscale.js");
    const xs = Float32Array.from(values.map((v) => (v === null ? NaN : v)));
    const out = {};
    for (const [kind, lo, hi] of [["diverging", -3, 2], ["sequential", 0, 5], ["gray", 0, 1],
                                  ["diverging", 0, 0], ["sequential", 1, 1]]) {
        const s = scaleFor(lo, hi, kind);
        const identity = Uint32Array.from({ length: s.n }, (_, i) => i);   // words = the indices
        const painted = s.paint(xs, 0, new Uint32Array(xs.length), identity);
        out[`${kind} ${lo} ${hi}`] = [Array.from(painted),
                                      Array.from(xs, (v) => s.toIndex(v))];
    }
    return out;
}"""


def test_one_pass_paint_equals_the_scale_per_value(page: Any, server_url: str) -> None:
    """drawMap's one loop (scale.paint, here with the indices as words) gives toIndex's numbers:
    clipping, NaN, zero, flat."""
    page.goto(f"{server_url}/")
    page.wait_for_selector(READY)
    rng = np.random.default_rng(4)
    values = [*rng.normal(0, 2, 500).astype(np.float32).tolist(), 0.0, -0.0, 7.0, -9.0, None,
              0.5, 1e-9, -1e-9]
    got = page.evaluate(INDICES, values)
    for name, (fast, slow) in got.items():
        assert fast == slow, name
    assert len(set(got["diverging -3 2"][0])) > 100                # a real spread of indices


@pytest.mark.parametrize(("lang", "exact", "stepped"), [
    ("en", "exact values (float32)", "8-bit values, step "),
    ("ja", "正確な値（32 ビット浮動小数点数）", "8 ビットの値（刻み ")])
def test_each_stage_says_exact_or_its_8_bit_step(page: Any, server_url: str, lang: str,
                                                  exact: str, stepped: str) -> None:
    """Within the page's budget the maps are computed exactly; past it (1024 px, 5×5: 26M
    multiply-adds > PAGE_MACS) they come as 8 bits and each stage says its step."""
    query = f"?lang={lang}&img=shapes&c=gray&act=relu&pool=max"
    page.goto(f"{server_url}/{query}")
    page.wait_for_selector(READY)
    for stage in ("input", "conv", "relu", "pool"):
        v = page.locator(f"figure.stage[data-stage='{stage}'] .stats .values")
        assert (v.get_attribute("data-step"), v.inner_text()) == ("0", exact), stage
    assert page.get_attribute("#lab-pipeline", "data-exact") == "true"
    page.goto(f"{server_url}/{query}&ws=1024")
    page.wait_for_selector(READY)
    before = renders(page)
    page.select_option("#lab-kernel", "gaussian")          # 5×5 (the catalogue's default)
    wait_render_after(page, before)
    assert "kp=size%3A5" in page.url
    inp = page.locator("figure.stage[data-stage='input'] .stats .values")
    assert inp.inner_text() == exact                     # the input is exact (bytes / 255)
    for stage in ("conv", "relu", "pool"):
        v = page.locator(f"figure.stage[data-stage='{stage}'] .stats .values")
        step = float(v.get_attribute("data-step"))
        assert 0 < step < 1 / 200, stage                 # 255 steps over the conv map's range
        assert v.inner_text().startswith(stepped), v.inner_text()
