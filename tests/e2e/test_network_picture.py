"""A picture uploaded on the network view's pad is shared by reference (URL key network-img,
static/js/views/network/picture.js): the uploader's page has the server keep it once and puts its
image_ref in the URL; a following student's page (and a link) fetches the pixels by that ref,
shows them on the pad and predicts them, in place, without ever posting the file. A ref the server
no longer keeps is said next to the pad, which stays as it was."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from PIL import Image, ImageDraw

from tests.e2e.test_classroom import _no_axe_findings, _tab_selected, start_and_join
from tests.e2e.test_classroom_follow import MARK, SEND_RAW, STAYED, _close, _send, _tab
from tests.e2e.test_network_strokes import IDLE, draw_a_four, pad_pixels

ROOT = Path(__file__).resolve().parents[2]
NET = '[data-view="network"]'
PICTURE_IDLE = NET + '[data-state="idle"][data-picture="{ref}"]'


def _digit_png() -> bytes:
    """A 28×28 grey picture of a handwritten-looking 0 (white ring on black), as MNIST has them."""
    img = Image.new("L", (28, 28), 0)
    ImageDraw.Draw(img).ellipse((8, 4, 20, 23), outline=235, width=3)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _upload(page: Any, png: bytes) -> str:
    """Upload `png` on the pad; → the image_ref the page put in the URL, once predicted."""
    page.locator(f"{NET} [data-role=upload]").set_input_files(
        files=[{"name": "zero.png", "mimeType": "image/png", "buffer": png}])
    page.wait_for_selector(f"{NET}[data-state=idle][data-picture]", timeout=15_000)
    ref = page.get_attribute(NET, "data-picture")
    assert isinstance(ref, str) and len(ref) == 64
    assert f"network-img={ref}" in page.url
    assert "network-digit" not in page.url and "network-strokes" not in page.url
    return ref


def _api_label(server_url: str, model: str, png: bytes) -> str:
    r = httpx.post(f"{server_url}/api/models/{model}/predict",
                   files={"image": ("zero.png", png, "image/png")}, timeout=30)
    assert r.status_code == 200, r.text
    return str(r.json()["label"])


def _record_posts(page: Any) -> list[tuple[str, bytes]]:
    """Every POST the page sends to /api/convolve or a model's /predict, with its body."""
    posts: list[tuple[str, bytes]] = []
    page.on("request", lambda r: posts.append((r.url, r.post_data_buffer or b""))
            if r.method == "POST" and r.url.endswith(("/api/convolve", "/predict")) else None)
    return posts


def test_an_uploaded_picture_follows_by_ref_in_place(browser: object, server_url: str,
                                                     shot: Callable[..., Path]) -> None:
    teacher, student = start_and_join(browser, server_url, "en", (1024, 768))
    student.evaluate(MARK)
    _tab(teacher, "network")
    teacher.wait_for_selector(IDLE)
    png = _digit_png()
    ref = _upload(teacher, png)
    model = teacher.locator(f"{NET} [data-role=model]").input_value()
    label = teacher.get_attribute(NET, "data-label")
    assert label == _api_label(server_url, model, png)
    posts = _record_posts(student)
    _send(teacher)
    _tab_selected(student, "network")
    student.wait_for_selector(PICTURE_IDLE.format(ref=ref), timeout=15_000)
    assert student.get_attribute(NET, "data-label") == label
    assert student.evaluate(STAYED)
    assert f"network-img={ref}" in student.url
    assert student.locator(f"{NET} [data-role=example]").input_value() == ""
    assert np.array_equal(pad_pixels(student), pad_pixels(teacher))   # the same picture drawn
    # the student fetched the picture by its ref and predicted the pad's PNG: the file itself
    # (its bytes) was never posted from the student's browser
    convolves = [body for url, body in posts if url.endswith("/api/convolve")]
    assert convolves and all(b'name="image_ref"' in b and ref.encode() in b for b in convolves)
    assert not any(b'name="image";' in b for b in convolves)
    assert any(url.endswith(f"/api/models/{model}/predict") for url, _ in posts)
    assert not any(png in body for _, body in posts)
    assert student.locator(f"{NET} [data-role=padNote]").inner_text() == ""
    shot(student, "follow-uploaded-picture-en-1024")

    # drawing on the teacher's pad clears the picture's key: the student's pad shows the drawing
    teacher.locator(f"{NET} [data-role=clear]").click()
    draw_a_four(teacher)
    teacher.wait_for_function("() => new URL(location.href).searchParams.has('network-strokes')")
    assert "network-img" not in teacher.url and teacher.get_attribute(NET, "data-picture") is None
    teacher.wait_for_selector(IDLE)
    _send(teacher)
    student.wait_for_function(
        "() => new URL(location.href).searchParams.has('network-strokes')"
        " && !new URL(location.href).searchParams.has('network-img')", timeout=15_000)
    student.wait_for_selector(f"{NET}[data-state=idle]:not([data-picture])")
    assert (pad_pixels(student) > 128).sum() > 2000     # the drawing, not the small ring
    assert student.evaluate(STAYED)
    _close(teacher, student)


def test_a_ref_the_server_no_longer_keeps_is_said_and_the_pad_stays(
        browser: object, server_url: str, shot: Callable[..., Path],
        axe: Callable[..., list[dict]]) -> None:
    """JA student: the message is the textbook-worded Japanese one; pad, label and prediction
    count are as they were; no console error but the browser's own line for the 410."""
    teacher, student = start_and_join(browser, server_url, "ja", (390, 844))
    _tab(teacher, "network")
    teacher.wait_for_selector(IDLE)
    _send(teacher)
    _tab_selected(student, "network")
    student.wait_for_selector(IDLE)
    student.evaluate(MARK)
    pixels = pad_pixels(student)
    label = student.get_attribute(NET, "data-label")
    count = student.get_attribute(NET, "data-predictions")
    query = student.evaluate("""async () => {
        const { sceneQuery } = await import('/static/js/lib/scene.js');
        const p = new URLSearchParams(sceneQuery(location.search));
        p.set('network-img', '0'.repeat(64));
        return p.toString();
    }""")
    teacher.evaluate(SEND_RAW, {"query": query, "view": "network", "image_ref": None})
    note = student.wait_for_selector(f"{NET} [data-role=padNote]:not(:empty)", timeout=10_000)
    ja = json.loads((ROOT / "static/locales/ja/network.json").read_text(encoding="utf-8"))
    assert note.inner_text() == ja["pad"]["refGone"]
    assert student.evaluate(STAYED)
    assert np.array_equal(pad_pixels(student), pixels)
    assert student.get_attribute(NET, "data-label") == label
    assert student.get_attribute(NET, "data-predictions") == count
    assert student.get_attribute(NET, "data-picture") is None
    shot(student, "follow-picture-gone-ja-390")
    _no_axe_findings(axe, student)
    student.errors[:] = [e for e in student.errors  # type: ignore[attr-defined]
                         if "status of 410" not in e]
    _close(teacher, student)


def test_a_link_with_the_picture_shows_it_and_an_example_clears_it(page: Any,
                                                                   server_url: str) -> None:
    page.goto(f"{server_url}/?view=network")
    page.wait_for_selector(IDLE)
    png = _digit_png()
    ref = _upload(page, png)
    label = page.get_attribute(NET, "data-label")
    other = page.context.new_page()
    posts = _record_posts(other)
    other.goto(page.url)
    other.wait_for_selector(PICTURE_IDLE.format(ref=ref), timeout=15_000)
    assert other.get_attribute(NET, "data-label") == label
    assert np.array_equal(pad_pixels(other), pad_pixels(page))
    assert posts and not any(png in body for _, body in posts)
    other.close()
    # an example digit replaces the picture: its key leaves the URL
    page.locator(f"{NET} [data-role=example]").select_option("3")
    page.wait_for_selector(f'{NET}[data-state="idle"][data-label="3"]:not([data-picture])')
    assert "network-digit=3" in page.url and "network-img" not in page.url


def test_a_colour_model_replaces_the_picture_and_its_key_leaves_the_url(page: Any,
                                                                        server_url: str) -> None:
    """Choosing a colour model puts one of its class pictures on the pad: the uploaded picture is
    gone, so its ref must not stay in the URL (a link would bring back a picture not shown)."""
    page.goto(f"{server_url}/?view=network")
    page.wait_for_selector(IDLE)
    _upload(page, _digit_png())
    page.locator(f"{NET} [data-role=model]").select_option("color-vgg")
    page.wait_for_selector(f'{NET}[data-state="idle"]:not([data-picture])', timeout=15_000)
    page.wait_for_function("() => new URL(location.href).searchParams.get('network-model')"
                           " === 'color-vgg'")
    assert "network-img" not in page.url
