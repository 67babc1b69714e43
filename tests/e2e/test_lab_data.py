"""How the lab's data travels (issue 11, points 4-6): uploaded once then referred to by
image_ref, a 410 recovered from by one re-upload, bytes per control change, the browser's own
shrinking (48 MP, W×H notes), the HEIC message, stale answers, and every conversion as a note."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from app.store.sqlite import SQLiteStore
from bench.api import photo_jpeg
from tests.e2e.lab_helpers import READY, renders, wait_render_after


def _open(page: Any, server_url: str, query: str) -> None:
    page.goto(f"{server_url}/?{query}")
    page.wait_for_selector(READY)


def _upload(page: Any, name: str, mime: str, data: bytes) -> None:
    before = renders(page)
    page.set_input_files("#lab-file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    wait_render_after(page, before)


REF_BODY_MAX = 4096  # a request by image_ref (ref + spec) is ~1 KB; with the file it is more


def _change_padmode(page: Any, mode: str) -> None:
    before = renders(page)
    page.select_option("#lab-padmode", mode)
    wait_render_after(page, before)


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _body(req: Any) -> int:
    """The request body's bytes as sent (Chromium's Content-Length, else its own count)."""
    return int(req.header_value("content-length") or 0) or int(req.sizes()["requestBodySize"])


def _is_convolve(req: Any) -> bool:
    return bool(req.url.endswith("/api/convolve"))


def _sizes(page: Any) -> list[Any]:
    """Every finished /api/convolve request from now on, recorded as it finishes (no call back
    to the browser in the handler: a wait for the next event must see the list grown)."""
    out: list[Any] = []
    page.on("requestfinished", lambda req: out.append(req) if _is_convolve(req) else None)
    return out


def _kind(req: Any) -> str:
    return "ref" if _body(req) < REF_BODY_MAX else "file"


def _bytes(req: Any) -> int:
    """Request headers and body plus response headers and body, as encoded on the wire."""
    s = req.sizes()
    return int(s["requestHeadersSize"] + _body(req) + s["responseHeadersSize"]
               + s["responseBodySize"])


def _recorded(page: Any, sent: list[Any], n: int) -> list[str]:
    """The kinds of the first n requests `_sizes` records: a redraw can come before Playwright
    delivers the last requestfinished event, so wait for those events (not for time)."""
    while len(sent) < n:
        page.wait_for_event("requestfinished", timeout=15_000)
    return [_kind(r) for r in sent]


@pytest.mark.parametrize(("ws", "color", "limit_kb"), [(256, "gray", 64), (512, "rgb", 192)])
def test_uploaded_once_then_by_ref_and_bytes_per_change(page: Any, server_url: str, ws: int,
                                                         color: str, limit_kb: int | None) -> None:
    _open(page, server_url, f"ws={ws}&c={color}&img=shapes")
    with page.expect_request_finished(_is_convolve) as upload:   # events can lag the redraw
        _upload(page, "photo.jpg", "image/jpeg", photo_jpeg(ws, seed=1))
    assert _body(upload.value) > REF_BODY_MAX                # the file, once
    assert page.get_attribute("#lab-pipeline", "data-shape-input") == \
        f"{3 if color == 'rgb' else 1},{ws},{ws}"
    sent = _sizes(page)                                      # from here on: the changes
    for mode in ("edge", "reflect", "zeros"):
        with page.expect_request_finished(_is_convolve):
            _change_padmode(page, mode)
        assert _kind(sent[-1]) == "ref"                      # then only its ref
    assert len(sent) == 3
    per_change = [_bytes(r) for r in sent]
    print(f"\nbytes per change, {ws} px {color}: {per_change}")
    if limit_kb is not None:
        assert max(per_change) <= limit_kb * 1024


def test_evicted_ref_is_uploaded_again_once(page: Any, server_url: str) -> None:
    """The server really forgets the image (deleted from its store, as the cap would): the next
    change gets a 410, and the page uploads the file once more and draws."""
    _open(page, server_url, "img=shapes")
    sent = _sizes(page)
    jpeg = photo_jpeg(96, seed=2)
    _upload(page, "photo.jpg", "image/jpeg", jpeg)     # ≤ the working size: sent as it is
    _change_padmode(page, "edge")
    assert _recorded(page, sent, 2) == ["file", "ref"]
    store = SQLiteStore(Path(os.environ["CONVSCOPE_DATA_DIR"]) / "convscope.sqlite3")
    ref = hashlib.sha256(jpeg).hexdigest()
    assert store.get("images", ref) == jpeg
    store.delete("images", ref)
    page.allowed_console_errors.append("410")
    _change_padmode(page, "reflect")
    assert _recorded(page, sent, 4) == ["file", "ref", "ref", "file"]
    assert page.get_attribute("#lab-pipeline", "data-reuploads") == "1"
    assert page.get_attribute("#lab-pipeline", "data-shape-input") == "1,96,96"
    assert page.locator('[data-error-for="image"]').is_hidden()
    _change_padmode(page, "zeros")                      # and by ref again afterwards
    assert _recorded(page, sent, 5)[-1] == "ref" and page.get_attribute("#lab-pipeline",
                                                            "data-reuploads") == "1"
    store.close()


@pytest.mark.parametrize(("lang", "words"), [("en", "Export it as JPEG"),
                                             ("ja", "JPEG に書き出して")])
def test_heic_says_how_to_export_jpeg(page: Any, server_url: str, lang: str, words: str) -> None:
    _open(page, server_url, f"lang={lang}&img=shapes")
    page.wait_for_load_state("networkidle")
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)
    page.set_input_files("#lab-file", files=[{"name": "IMG_0001.HEIC", "mimeType": "image/heic",
                                              "buffer": heic}])
    err = page.locator('[data-error-for="image"]')
    expect(err).to_contain_text(words)
    assert "IMG_0001.HEIC" in err.inner_text() and err.is_visible()


def test_browser_shrinks_48_megapixels_and_says_so_in_w_by_h(page: Any, server_url: str) -> None:
    _open(page, server_url, "img=shapes")
    y, x = np.mgrid[0:6000, 0:8000]
    img = Image.fromarray(((x // 40 + y // 40) % 2 * 200 + 30).astype(np.uint8))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    sent = _sizes(page)
    _upload(page, "phone.jpg", "image/jpeg", buf.getvalue())
    assert page.get_attribute("#lab-pipeline", "data-shape-input") == "1,192,256"   # (C, H, W)
    note = page.inner_text("#lab-resized")
    assert "from 8000×6000 to 256×192" in note                                        # W×H
    assert _recorded(page, sent, 1)[-1] == "file" and _bytes(sent[-1]) < 200_000


def test_every_conversion_is_a_note(page: Any, server_url: str, shot: Any) -> None:
    _open(page, server_url, "img=shapes")
    rgba = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    rgba.paste((200, 40, 40, 255), (100, 100, 300, 300))
    _upload(page, "logo.png", "image/png", _png(rgba))
    note = page.inner_text("#lab-resized")
    assert "from 600×400 to 256×171" in note
    assert "Transparent pixels composited on white." in note          # the server's own note
    frames = [Image.new("L", (40, 30), v) for v in (20, 120, 220)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100)
    _upload(page, "anim.gif", "image/gif", buf.getvalue())
    note = page.inner_text("#lab-resized")
    assert "only the first frame" in note
    shot(page, "lab-data-notes-1280x720-en")


def test_a_stale_answer_never_overwrites_a_newer_one(browser: Any, server_url: str) -> None:
    """The runner's sequence guard, with a task that ignores the abort (as a slow decode would):
    the older run finishes last and is not delivered."""
    ctx = browser.new_context(bypass_csp=True)
    page = ctx.new_page()
    page.goto(f"{server_url}/?img=shapes")
    page.wait_for_selector(READY)
    delivered = page.evaluate("""async () => {
        const { createRunner } = await import("/static/js/lib/runner.js");
        const out = [];
        const gates = [];
        let n = 0;
        const runner = createRunner(async (_signal, current) => {
            const mine = ++n;
            await new Promise((resolve) => gates.push(resolve));
            if (current()) out.push(mine);
        }, { delay: 0 });
        const first = runner.now();
        const second = runner.now();
        gates[1]();          // the newer answer arrives first
        await second;
        gates[0]();          // then the older one
        await first;
        return out;
    }""")
    ctx.close()
    assert delivered == [2]


@pytest.mark.parametrize(("lang", "words"), [("en", "summed as in slide 11"),
                                             ("ja", "スライド 11 のように合計")])
def test_colour_mode_says_depthwise_or_summed_and_offers_both(page: Any, server_url: str,
                                                              lang: str, words: str,
                                                              shot: Any) -> None:
    _open(page, server_url, f"lang={lang}&c=rgb&img=shapes")
    mode = page.locator("#lab-color-mode")
    assert mode.get_attribute("data-mode") == "depthwise"
    _, H, W = (int(n) for n in page.get_attribute("#lab-pipeline", "data-shape-input").split(","))
    assert page.get_attribute("#lab-pipeline", "data-shape-conv") == f"3,{H},{W}"
    before = renders(page)
    page.check("#lab-sum")
    wait_render_after(page, before)
    assert page.get_attribute("#lab-pipeline", "data-shape-conv") == f"1,{H},{W}"
    assert mode.get_attribute("data-mode") == "summed" and words in mode.inner_text()
    assert "sum=1" in page.url
    shot(page, f"lab-data-summed-1280x720-{lang}")
    page.check("input[name=color][value=gray]")
    assert page.is_disabled("#lab-sum") and mode.get_attribute("data-mode") == "gray"


def test_shared_link_embeds_a_small_image_or_says_it_does_not(page: Any, server_url: str,
                                                             browser: Any) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _open(page, server_url, "img=shapes")
    small = _png(Image.new("L", (40, 30), 90))
    _upload(page, "small.png", "image/png", small)
    page.click("#lab-link")
    link = page.locator("#lab-link")
    expect(link).to_have_attribute("data-image", "embedded")
    url = link.get_attribute("data-url")
    assert "#img=data:image/png;base64," in url and "img=shapes" not in url
    other = browser.new_context().new_page()
    other.goto(url)
    other.wait_for_selector(READY)
    assert other.get_attribute("#lab-pipeline", "data-shape-input") == "1,30,40"
    other.context.close()
    _upload(page, "photo.jpg", "image/jpeg", photo_jpeg(256, seed=4))   # > 16 KB
    page.click("#lab-link")
    expect(link).to_have_attribute("data-image", "left-out")
    assert "#" not in (link.get_attribute("data-url") or "")
    expect(page.get_by_text("It does not include your image")).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize(("w", "h"), [(1024, 768), (1280, 720), (390, 844)])
def test_notes_and_colour_mode_fit_every_viewport(browser: Any, server_url: str, shot: Any,
                                                  lang: str, w: int, h: int) -> None:
    ctx = browser.new_context(viewport={"width": w, "height": h})
    page = ctx.new_page()
    _open(page, server_url, f"lang={lang}&c=rgb&sum=1&img=shapes")
    _upload(page, "logo.png", "image/png",
            _png(Image.new("RGBA", (600, 400), (200, 40, 40, 128))))
    for sel in ("#lab-resized", "#lab-color-mode", "#lab-sum"):
        box = page.locator(sel).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= w, (sel, box)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= w
    assert "600×400" in page.inner_text("#lab-resized")
    page.locator("#lab-resized").scroll_into_view_if_needed()
    shot(page, f"lab-data-notes-{w}x{h}-{lang}")
    ctx.close()


def test_rgb_picture_click_inspects_the_channel_clicked(page: Any, server_url: str) -> None:
    """A blurred RGB stage is one picture: clicking a pixel again steps R → G → B."""
    box9 = ",".join(["0.111111"] * 9)
    _open(page, server_url, f"c=rgb&k=custom&kv=3x3:{box9}&p=1&act=none&pool=none&img=shapes")
    fig = page.locator("figure[data-stage='conv']")
    assert fig.locator("canvas.map-canvas").count() == 1          # one RGB picture
    _, H, W = (int(n) for n in page.get_attribute("#lab-pipeline", "data-shape-conv").split(","))
    i, j = H // 4, (3 * W) // 4                                       # inside the red square
    box = fig.locator("canvas.map-canvas").bounding_box()
    # Chromium delivers whole CSS px (a map pixel is ~1.3 of them): expect the pixel at that point
    xy = (round(box["x"] + (j + 0.5) * box["width"] / W),
          round(box["y"] + (i + 0.5) * box["height"] / H))
    i, j = int((xy[1] - box["y"]) / box["height"] * H), int((xy[0] - box["x"]) / box["width"] * W)
    body = page.locator("#lab-inspector-body")
    values = []
    for c in range(3):
        page.mouse.click(*xy)
        assert body.get_attribute("data-pixel") == f"{c},{i},{j}"
        assert body.locator(".server-check.ok").count() == 1
        values.append(float(body.get_attribute("data-value")))
    assert values[0] > 0.6 > 0.3 > values[1]                          # red: R high, G low
    page.mouse.click(*xy)
    assert body.get_attribute("data-pixel") == f"0,{i},{j}"
