"""Maps that look like what they are (issue 11, point 1): image stages drawn as gray or RGB images
clipped to the input's range, signed stages on the diverging scale, a look select per stage, and a
row colour range (per map / shared / robust percentiles) that the legend names — checked on the
canvases' real pixels, in English and Japanese."""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
import numpy as np
from PIL import Image, ImageDraw

from app.imaging.colormap import lut
from tests.e2e.lab_helpers import (
    DRAWN,
    open_lab,
    renders,
    spec_for,
    stage_values,
    wait_render_after,
)

SOBEL_X = [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]
PIXELS = (
    "c => ({w: c.width, h: c.height,"
    " px: Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)})"
)


def pixels(page: Any, stage: str, n: int = 0) -> np.ndarray:
    """The RGB bytes (H, W, 3) of a stage's n-th map canvas."""
    got = (
        page.locator(f"figure.stage[data-stage='{stage}'] canvas.map-canvas")
        .nth(n)
        .evaluate(PIXELS)
    )
    return np.asarray(got["px"], dtype=np.uint8).reshape(got["h"], got["w"], 4)[..., :3]


def legend(page: Any, stage: str) -> dict[str, Any]:
    loc = page.locator(f"figure.stage[data-stage='{stage}'] .legend")
    labels = loc.locator(".legend-labels span").all_inner_texts()
    return {
        "scale": loc.get_attribute("data-scale"),
        "range": loc.get_attribute("data-range"),
        "look": loc.get_attribute("data-look"),
        "caption": loc.locator(".legend-caption").inner_text(),
        "aria": loc.get_attribute("aria-label"),
        "lo": float(labels[0]),
        "hi": float(labels[-1]),
    }


def upload(page: Any, png: bytes) -> None:
    before = renders(page)
    page.set_input_files(
        "#lab-file", files=[{"name": "t.png", "mimeType": "image/png", "buffer": png}]
    )
    wait_render_after(page, before)


def choose(page: Any, selector: str, value: str) -> None:
    before = renders(page)
    page.select_option(selector, value)
    wait_render_after(page, before)


def padded_border_png() -> bytes:
    """160×120 gray: background 204, a 40×80 rectangle of 153 — weak inner edges (Δ = 0.2) and,
    with zero padding, a strong border (Δ = 0.8) on 0.6 % of the pixels per side."""
    img = Image.new("L", (160, 120), 204)
    ImageDraw.Draw(img).rectangle([60, 20, 99, 99], fill=153)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def colour_png() -> bytes:
    img = Image.new("RGB", (60, 40), (20, 20, 20))
    d = ImageDraw.Draw(img)
    d.rectangle([5, 5, 25, 34], fill=(230, 30, 30))
    d.rectangle([34, 5, 54, 34], fill=(30, 60, 230))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def test_gaussian_blur_of_shapes_is_a_gray_image_and_false_colour_is_one_click_away(
    page, server_url, shot
):
    open_lab(page, server_url, "?img=shapes&c=gray&act=relu&pool=max")
    choose(page, "#lab-kernel", "gaussian")
    assert (
        page.get_attribute("#lab-pipeline", "data-looks")
        == "input:image,conv:image,relu:image,pool:image"
    )
    for stage in ("input", "conv", "relu", "pool"):
        px = pixels(page, stage).astype(int)
        assert (px[..., 0] == px[..., 1]).all() and (px[..., 1] == px[..., 2]).all(), (
            stage
        )  # R = G = B
        leg = legend(page, stage)
        assert leg["look"] == "image" and leg["scale"] == "gray" and leg["range"] == "input", leg
        assert (leg["lo"], leg["hi"]) == (0.0, 1.0)
        assert leg["caption"].startswith("Image (gray): 0 black to 1 white"), leg["caption"]
        assert leg["aria"] == leg["caption"]
    conv = pixels(page, "conv")[..., 0]
    assert len(np.unique(conv)) > 20  # a blur has soft gradients, not two levels
    # Each gray byte is the value clipped to [0, 1]: compare with the server's numbers.
    sample = httpx.get(f"{server_url}/api/samples/shapes.png", timeout=30)
    assert sample.status_code == 200
    assert "kp=size%3A5%2Csigma%3A1" in page.url
    spec = {
        **spec_for(
            [[1.0]],
            pad=int(page.input_value("#lab-pad")),
            activation="relu",
            pool={"type": "max", "size": 2, "stride": 2},
        ),
        "kernel": {"id": "gaussian", "size": 5, "sigma": 1}, **DRAWN,
    }  # as the page sends it
    r = httpx.post(
        f"{server_url}/api/convolve",
        data={"spec": json.dumps(spec)},
        timeout=30,
        files={"image": ("s.png", sample.content, "image/png")},
    )
    v = stage_values(r.json(), "conv")[0, 0]
    assert v.shape == conv.shape
    want = np.floor(np.clip(v.astype(np.float64), 0, 1) * 255 + 0.5).astype(int)
    np.testing.assert_array_equal(conv.astype(int), want)
    shot(page, "lab-maps-gaussian-en")

    choose(page, "#lab-look-conv", "false")  # false colour, one click
    assert "conv:false" in page.url.replace("%3A", ":")
    px = pixels(page, "conv").astype(int)
    assert (px[..., 0] != px[..., 1]).any()
    leg = legend(page, "conv")
    assert leg["look"] == "false" and leg["scale"] == "sequential" and leg["range"] == "map"
    assert leg["caption"].startswith("False colour, per map:")
    # The inspector still works on an image-look map (ReLU): its numbers are the server's.
    before = int(page.get_attribute("#lab-pipeline", "data-renders"))
    page.select_option("#lab-focus", "relu")   # the ReLU map drawn large (focus layout)
    page.wait_for_selector(f"#lab-pipeline[data-focus='relu']:not([data-renders='{before}'])")
    box = page.locator("figure[data-stage='relu'] canvas.map-canvas").bounding_box()
    h, w = pixels(page, "relu").shape[:2]
    page.mouse.click(box["x"] + (5.5 / w) * box["width"], box["y"] + (3.5 / h) * box["height"])
    page.wait_for_selector("#lab-inspector-body[data-stage='relu']")
    c, i, j = map(int, page.get_attribute("#lab-inspector-body", "data-pixel").split(","))
    assert c == 0 and abs(i - 3) <= 1 and abs(j - 5) <= 1  # Chromium rounds clientX/Y
    assert abs(float(page.get_attribute("#lab-inspector-body", "data-sum")) - float(v[i, j])) < 1e-5


def test_rgb_mode_draws_an_rgb_image(page, server_url, shot):
    open_lab(page, server_url, "?c=rgb&act=none&pool=none")
    choose(page, "#lab-kernel", "box-blur")
    upload(page, colour_png())
    assert page.get_attribute("#lab-pipeline", "data-shape-conv").startswith("3,")
    canvases = page.locator("figure.stage[data-stage='conv'] canvas.map-canvas")
    assert canvases.count() == 1 and canvases.first.get_attribute("data-scale") == "rgb"
    px = pixels(page, "conv").astype(int)
    red, blue = px[20, 15], px[20, 44]
    assert red[0] > 200 and red[1] < 60 and red[2] < 60, red
    assert blue[2] > 200 and blue[0] < 60, blue
    leg = legend(page, "conv")
    assert leg["scale"] == "rgb" and leg["caption"].startswith("Image (RGB): each channel 0 to 1")
    assert page.locator("#lab-look-input").is_disabled()  # an RGB input is always a picture
    shot(page, "lab-maps-rgb-en")
    choose(page, "#lab-look-conv", "false")  # false colour: one map per channel
    assert page.locator("figure.stage[data-stage='conv'] canvas.map-canvas").count() == 3
    # a card of another make is built anew in its place (pipeline.js), never beside the old one
    stages = ("[...document.querySelectorAll('#lab-pipeline figure.stage')]"
              ".map(f => f.dataset.stage)")
    assert page.evaluate(stages) == ["input", "conv"]
    choose(page, "#lab-look-conv", "image")
    assert page.evaluate(stages) == ["input", "conv"]
    assert page.locator("figure.stage[data-stage='conv'] canvas.map-canvas").count() == 1
    assert np.array_equal(pixels(page, "conv"), px.astype(np.uint8))   # drawn again, same pixels


def test_sobel_keeps_the_diverging_scale(page, server_url):
    open_lab(page, server_url, "?k=sobel-x&p=1&act=none&pool=none&img=shapes&c=gray")
    assert page.get_attribute("figure[data-stage='conv']", "data-look") == "false"
    assert page.input_value("#lab-look-conv") == "false"
    leg = legend(page, "conv")
    assert leg["scale"] == "diverging" and leg["range"] == "map" and leg["lo"] == -leg["hi"]
    assert leg["caption"].startswith("False colour, per map: blue negative, white 0, red positive")
    colours = {tuple(c) for c in pixels(page, "conv").reshape(-1, 3)}
    assert (247, 247, 247) in colours and len(colours) > 20
    assert legend(page, "input")["scale"] == "gray"


def percentile_pair(s: np.ndarray) -> tuple[float, float]:
    last = s.size - 1
    return float(s[int(np.floor(0.01 * last + 0.5))]), float(s[int(np.floor(0.99 * last + 0.5))])


def robust_range(v: np.ndarray) -> tuple[float, float]:
    """The page's robust range (looks.js robustRange): 1st / 99th percentile, nearest rank; for a
    mostly-zero map those of the non-zero values, widened to include 0."""
    s = np.sort(v.astype(np.float32).reshape(-1))
    lo, hi = percentile_pair(s)
    if not hi > lo:
        nz = s[s != 0]
        if nz.size > 1:
            lo, hi = percentile_pair(nz)
            if hi > lo:
                lo, hi = min(lo, 0.0), max(hi, 0.0)
    return lo, hi


def expected_diverging(v: np.ndarray, m: float) -> np.ndarray:
    """The contract's diverging colours for values v on the range (−m, m), clipped."""
    x = np.clip(v.astype(np.float64), -m, m)
    idx = 127 + np.sign(x) * np.floor(np.abs(x) * (127 / m) + 0.5)
    return lut("diverging")[idx.astype(int)]


def test_robust_scale_ignores_the_padding_border_and_shared_scale_is_one_range(
    page, server_url, shot
):
    png = padded_border_png()
    open_lab(page, server_url, "?k=sobel-x&p=1&s=1&act=none&pool=none")
    upload(page, png)
    spec = {**spec_for(SOBEL_X, pad=1), **DRAWN}
    r = httpx.post(
        f"{server_url}/api/convolve",
        files={"image": ("t.png", png, "image/png")},
        data={"spec": json.dumps(spec)},
        timeout=30,
    )
    v = stage_values(r.json(), "conv")[0, 0]
    assert v.shape == (120, 160)
    inner = (60, 99)  # a pixel on the rectangle's right edge, away from the border

    per_map = legend(page, "conv")
    assert per_map["range"] == "map" and per_map["hi"] >= 3  # the border sets the range
    m_full = float(np.abs(v).max())
    np.testing.assert_array_equal(pixels(page, "conv"), expected_diverging(v, m_full))
    washed = pixels(page, "conv")[inner].astype(int)

    choose(page, "#lab-map-scale", "robust")
    assert "ms=robust" in page.url
    robust = legend(page, "conv")
    assert robust["range"] == "robust" and robust["scale"] == "diverging"
    assert "robust (1st–99th percentile)" in robust["caption"]
    lo, hi = robust_range(v[1:-1, 1:-1])  # the rows / columns that read the zero padding: out
    m = float(max(abs(lo), abs(hi)))
    # the inner edges, not the border; the legend writes 2 decimals of the 8-bit values drawn
    assert 0.5 < m < 1.0 and abs(robust["hi"] - m) <= 5e-3
    np.testing.assert_array_equal(pixels(page, "conv"), expected_diverging(v, m))
    vivid = pixels(page, "conv")[inner].astype(int)
    assert (255 * 3 - vivid.sum()) > 2 * (255 * 3 - washed.sum())  # far more saturated
    shot(page, "lab-maps-robust-en")

    page.reload()  # the choice is kept in the URL (the uploaded image is not: a sample)
    page.wait_for_selector("#lab-pipeline[data-map-scale='robust'] figure.stage[data-stage='conv']")
    assert page.input_value("#lab-map-scale") == "robust"

    choose(page, "#lab-activation", "relu")
    choose(page, "#lab-pool", "max")
    # Pooling widens the border (a 2×2 window of a bordered map): robust still leaves it out.
    # The shapes sample on white: the per-map range of ReLU / pooling is the border's 4.
    relu, pool = legend(page, "relu"), legend(page, "pool")
    assert (
        relu["range"] == pool["range"] == "robust"
        and relu["scale"] == pool["scale"] == "sequential"
    )
    maxes = [
        float(page.inner_text(f"figure[data-stage='{st}'] .stats .max").split()[-1])
        for st in ("relu", "pool")
    ]
    assert maxes == [4.0, 4.0]
    assert relu["hi"] < 3.9 and pool["hi"] < 3.9, (relu, pool)
    choose(page, "#lab-map-scale", "shared")
    legs = [legend(page, st) for st in ("conv", "relu", "pool")]
    assert len({(lg["scale"], lg["range"], lg["lo"], lg["hi"]) for lg in legs}) == 1  # one range
    stats = [
        float(x.split()[-1])
        for st in ("conv", "relu", "pool")
        for x in page.locator(f"figure[data-stage='{st}'] .stats :is(.min, .max)").all_inner_texts()
    ]
    assert legs[0]["scale"] == "diverging" and legs[0]["range"] == "shared"
    assert (
        abs(legs[0]["hi"] - max(abs(x) for x in stats)) < 1e-3 and legs[0]["lo"] == -legs[0]["hi"]
    )
    assert all("shared by all stages" in lg["caption"] for lg in legs)
    assert legend(page, "input")["range"] == "input"


def test_japanese_legends_and_selects(page, server_url, shot):
    open_lab(page, server_url, "?lang=ja&img=shapes&c=gray&act=relu&pool=max")
    choose(page, "#lab-kernel", "gaussian")
    leg = legend(page, "conv")
    assert leg["caption"].startswith("画像（グレー）：0 が黒、1 が白（入力の範囲）"), leg["caption"]
    assert page.locator("#lab-look-conv option").all_inner_texts() == ["画像", "疑似カラー"]
    assert page.locator("#lab-map-scale option").all_inner_texts() == [
        "マップごと",
        "全段で共通",
        "ロバスト（1〜99 パーセンタイル）",
    ]
    assert page.inner_text(".map-scale-bar label") == "色の範囲"
    shot(page, "lab-maps-gaussian-ja")
    choose(page, "#lab-kernel", "sobel-x")
    choose(page, "#lab-map-scale", "robust")
    leg = legend(page, "conv")
    assert leg["scale"] == "diverging"
    assert leg["caption"].startswith(
        "疑似カラー（ロバスト（1〜99 パーセンタイル））：青が負、白が 0、赤が正"
    ), leg["caption"]
    assert legend(page, "relu")["scale"] == "sequential"
    shot(page, "lab-maps-robust-ja")
    page.click(".lang-btn[data-lang='en']")
    page.wait_for_selector("html[lang='en']", state="attached")
    page.wait_for_selector("#lab-look-conv option:text('false colour')", state="attached")
    assert page.inner_text(".map-scale-bar label") == "Colour range"
