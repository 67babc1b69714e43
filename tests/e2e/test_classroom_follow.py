"""Following the teacher in place (issue 13, point 2): every kind of change the teacher sends
(tab lab → network → 3-D, the 3-D view's settings and a learned colour filter bank by its
reference, the lab's own image by its ref with the working size and map styles, the network
view's model, digit and hand-drawn digit, the inspected pixel) reaches a following student's
page without a reload: a marker set in the student's window survives and the student's page
shows the teacher's state. Detach and rejoin still work. Students in EN at 1024×768 and JA at
390×844; axe on the student's page; screenshots under artifacts/."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.e2e.test_classroom import _no_axe_findings, _tab_selected, start_and_join
from tests.e2e.test_network_strokes import IDLE as IDLE_NET
from tests.e2e.test_network_strokes import draw_a_four, pad_pixels

STUDENTS = [pytest.param("en", (1024, 768), id="en-1024"),
            pytest.param("ja", (390, 844), id="ja-390")]
SEND = "Send my screen to the class"
MARK = "window.__stayed = true"      # gone if the page reloads
STAYED = "window.__stayed === true"


REF_AT_128 = """async () => {
    const { app } = await import('/static/js/lib/app.js');
    for (let frame = 0; frame < 1200; frame++) {     // at most ~20 s of frames
        const busy = document.querySelector('#lab-pipeline').getAttribute('aria-busy') === 'true';
        const ws = new URL(location.href).searchParams.get('ws');
        if (!busy && ws === '128' && typeof app.image?.ref === 'string') return app.image.ref;
        await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    return null;
}"""


def _send(teacher: object) -> None:
    teacher.get_by_role("button", name=SEND).click()  # type: ignore[attr-defined]


def _tab(page: object, view: str) -> None:
    page.locator(f'[role="tab"][data-tab="{view}"]').click()  # type: ignore[attr-defined]


def _close(*pages: object) -> None:
    for page in pages:
        assert [e for e in page.errors if "status of 503" not in e] == [], page.errors  # type: ignore[attr-defined]
        page.context.close()  # type: ignore[attr-defined]


def _picture() -> bytes:
    """A 40×30 RGB picture no sample looks like: a red-green ramp with a blue square."""
    img = Image.new("RGB", (40, 30))
    img.putdata([(x * 6, y * 8, 200 if 10 <= x < 20 and 5 <= y < 15 else 0)
                 for y in range(30) for x in range(40)])
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(("lang", "size"), STUDENTS)
def test_tabs_and_3d_settings_follow_in_place_and_detach_rejoin(
        browser: object, server_url: str, lang: str, size: tuple[int, int],
        shot: Callable[..., Path], axe: Callable[..., list[dict]]) -> None:
    teacher, student = start_and_join(browser, server_url, lang, size)
    student.evaluate(MARK)
    _tab(teacher, "lab")
    _send(teacher)
    _tab_selected(student, "lab")
    _tab(teacher, "network")
    _send(teacher)
    _tab_selected(student, "network")
    _tab(teacher, "conv3d")
    fn = teacher.locator('[data-view="conv3d"] [data-role="fn"]')
    fn.fill("3")
    fn.dispatch_event("change")
    _send(teacher)
    _tab_selected(student, "conv3d")
    student.wait_for_function(
        "() => document.querySelector('[data-view=conv3d] [data-role=fn]').value === '3'")
    assert "conv3d-fn=3" in student.url and "view=conv3d" in student.url
    assert student.evaluate(STAYED)
    shot(student, f"follow-conv3d-{lang}-{size[0]}")

    # detached: the teacher's next scene arrives but is not applied; rejoin applies it in place
    student.locator(".cls-follow").click()
    scenes = int(student.locator('[data-role="student"]').get_attribute("data-scenes") or 0)
    _tab(teacher, "network")
    _send(teacher)
    student.wait_for_selector(f'[data-role="student"][data-scenes="{scenes + 1}"]',
                              state="attached")
    conv3d_tab = student.locator('[role="tab"][data-tab="conv3d"]')
    assert conv3d_tab.get_attribute("aria-selected") == "true"
    student.locator(".cls-follow").click()
    _tab_selected(student, "network")
    assert student.evaluate(STAYED)
    _no_axe_findings(axe, student)
    _close(teacher, student)


def test_a_colour_filter_bank_sent_to_the_3d_view_follows_by_reference(
        browser: object, server_url: str, shot: Callable[..., Path]) -> None:
    """The teacher picks a colour model's filter in the network view (→ the 3-D tab with a bank
    of 4): the scene names the bank (conv3d-bank) and the student's 3-D view fetches and shows the
    same filters in place. The teacher's edit then drops the key and the student's claim with it."""
    models = httpx.get(f"{server_url}/api/models", timeout=30).json()["models"]
    colour = next(m["id"] for m in models if m["input_shape"][0] == 3)
    teacher, student = start_and_join(browser, server_url, "ja", (390, 844))
    student.evaluate(MARK)
    _tab(teacher, "network")
    teacher.wait_for_selector(IDLE_NET)
    teacher.locator('[data-view="network"] [data-role=model]').select_option(colour)
    rgb = teacher.locator('[data-view="network"] button.net-filter-rgb')
    rgb.nth(5).click()
    bank = f"[data-view=conv3d][data-bank='{colour}/conv1[5:9]']"
    teacher.wait_for_selector(bank)
    _tab_selected(teacher, "conv3d")
    assert f"conv3d-bank={colour}%2Fconv1%2F5" in teacher.url
    _send(teacher)
    _tab_selected(student, "conv3d")
    student.wait_for_selector(bank, timeout=15_000)
    api = httpx.get(f"{server_url}/api/models/{colour}/filters", params={"layer": "conv1"},
                    timeout=30).json()
    view = student.locator("[data-view=conv3d]")
    assert view.locator("[data-role=fn]").input_value() == "4"
    got = [[[[float(view.locator(f'[data-role="w-{f}-{c}"] td[data-r="{i}"][data-c="{j}"]')
                    .get_attribute("data-v")) for j in range(3)] for i in range(3)]
             for c in range(3)] for f in range(4)]
    np.testing.assert_allclose(got, api["weights"][5:9], atol=1e-6)
    bias = [float(view.locator(f'[data-role="bias-{f}"]').input_value()) for f in range(4)]
    np.testing.assert_allclose(bias, api["bias"][5:9], atol=1e-6)
    assert f"conv3d-bank={colour}%2Fconv1%2F5" in student.url
    assert student.evaluate(STAYED)
    shot(student, "follow-conv3d-bank-ja-390")

    # the teacher edits a bias: the URL stops naming the bank, and so does the student's view
    teacher.locator('[data-view="conv3d"] [data-role="bias-0"]').fill("0.5")
    teacher.wait_for_function("() => !new URL(location.href).searchParams.has('conv3d-bank')")
    _send(teacher)
    student.wait_for_function(
        "() => !document.querySelector('[data-view=conv3d]').hasAttribute('data-bank')"
        " && !new URL(location.href).searchParams.has('conv3d-bank')", timeout=15_000)
    assert student.evaluate(STAYED)
    _close(teacher, student)


@pytest.mark.parametrize(("lang", "size"), STUDENTS)
def test_the_teachers_own_image_working_size_and_styles_follow_by_ref(
        browser: object, server_url: str, lang: str, size: tuple[int, int],
        shot: Callable[..., Path], axe: Callable[..., list[dict]]) -> None:
    """The student's lab gets the teacher's uploaded picture by its ref (never an upload: every
    convolve the student posts names the teacher's image_ref), exactly (pixels equal the file's)."""
    teacher, student = start_and_join(browser, server_url, lang, size)
    _tab(teacher, "lab")
    renders = teacher.locator("#lab-pipeline").get_attribute("data-renders")
    teacher.locator("#lab-file").set_input_files(
        files=[{"name": "mine.png", "mimeType": "image/png", "buffer": _picture()}])
    teacher.wait_for_selector('#lab-pipeline[data-shape-input="1,30,40"]')
    teacher.locator("#lab-size").select_option("128")
    teacher.locator("#lab-map-scale").select_option("shared")
    teacher.wait_for_function(
        "(n) => document.querySelector('#lab-pipeline').dataset.renders !== n", arg=renders)
    # the working-size change re-uploads the picture: its ref comes with that answer
    ref = teacher.evaluate(REF_AT_128)
    assert isinstance(ref, str) and len(ref) == 64
    student.evaluate(MARK)
    posts: list[bytes] = []
    student.on("request", lambda r: posts.append(r.post_data_buffer or b"")
               if r.url.endswith("/api/convolve") and r.method == "POST" else None)
    _send(teacher)
    _tab_selected(student, "lab")
    student.wait_for_selector('#lab-pipeline[data-shape-input="1,30,40"]', timeout=10_000)
    assert student.locator("#lab-size").input_value() == "128"
    assert student.locator("#lab-map-scale").input_value() == "shared"
    assert student.locator("#lab-pipeline").get_attribute("data-map-scale") == "shared"
    assert "ws=128" in student.url and "ms=shared" in student.url and "img=" not in student.url
    assert posts and all(b'name="image_ref"' in p and ref.encode() in p for p in posts)
    assert not any(b'name="image";' in p for p in posts)  # the file itself was never sent
    assert student.evaluate(STAYED)
    pixels = student.evaluate("""async (ref) => {
        const blob = await (await import('/static/js/lib/by-ref.js')).pictureByRef(ref);
        const bmp = await createImageBitmap(blob);
        const c = new OffscreenCanvas(bmp.width, bmp.height);
        const ctx = c.getContext('2d');
        ctx.drawImage(bmp, 0, 0);
        const rgba = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
        return [bmp.width, bmp.height, Array.from(rgba)];
    }""", ref)
    want = Image.open(io.BytesIO(_picture())).convert("RGBA")
    assert pixels[:2] == [40, 30]
    assert pixels[2] == list(want.tobytes())
    shot(student, f"follow-image-{lang}-{size[0]}")
    _no_axe_findings(axe, student)
    _close(teacher, student)


@pytest.mark.parametrize(("lang", "size"), STUDENTS)
def test_the_network_views_model_and_digit_follow_in_place(
        browser: object, server_url: str, lang: str, size: tuple[int, int],
        shot: Callable[..., Path], axe: Callable[..., list[dict]]) -> None:
    teacher, student = start_and_join(browser, server_url, lang, size)
    student.evaluate(MARK)
    _tab(teacher, "network")
    net = teacher.locator('[data-view="network"]')
    teacher.wait_for_selector('[data-view="network"][data-state="idle"][data-label]')
    current = net.locator("[data-role=model]").input_value()
    model = "slide4-cnn" if current != "slide4-cnn" else "simple-convnet"
    net.locator("[data-role=model]").select_option(model)
    teacher.wait_for_function(
        "() => document.querySelector('[data-view=network] [data-role=filterLayer]')"
        ".options.length > 0 && document.querySelector('[data-view=network]')"
        ".dataset.state === 'idle'")
    net.locator("[data-role=example]").select_option("3")
    # the prediction of the example 3 (idle alone may still show the previous digit's answer)
    teacher.wait_for_selector('[data-view="network"][data-state="idle"][data-label="3"]')
    assert "network-digit=3" in teacher.url and f"network-model={model}" in teacher.url
    _send(teacher)
    _tab_selected(student, "network")
    student.wait_for_function(
        "(m) => { const s = document.querySelector('[data-view=network]');"
        " return s.querySelector('[data-role=model]').value === m"
        " && s.querySelector('[data-role=example]').value === '3' && s.dataset.state === 'idle'; }",
        arg=model, timeout=15_000)
    label = teacher.locator('[data-view="network"]').get_attribute("data-label")
    student.wait_for_selector(f'[data-view="network"][data-state="idle"][data-label="{label}"]')
    assert student.evaluate(STAYED)
    shot(student, f"follow-network-{lang}-{size[0]}")
    _no_axe_findings(axe, student)
    _close(teacher, student)


def test_a_hand_drawn_digit_follows_in_place(browser: object, server_url: str,
                                            shot: Callable[..., Path]) -> None:
    """The teacher draws on the network view's pad (not an example): the drawing travels in the
    scene (network-strokes) and the student's pad shows it, with the same prediction."""
    teacher, student = start_and_join(browser, server_url, "en", (1024, 768))
    student.evaluate(MARK)
    _tab(teacher, "network")
    teacher.wait_for_selector(IDLE_NET)
    teacher.locator('[data-view="network"] [data-role=clear]').click()
    draw_a_four(teacher)
    teacher.wait_for_function("() => new URL(location.href).searchParams.has('network-strokes')")
    teacher.wait_for_selector(IDLE_NET)
    label = teacher.get_attribute('[data-view="network"]', "data-label")
    _send(teacher)
    _tab_selected(student, "network")
    student.wait_for_function(
        "() => new URL(location.href).searchParams.has('network-strokes')", timeout=15_000)
    student.wait_for_selector(f'[data-view="network"][data-state="idle"][data-label="{label}"]')
    diff = np.abs(pad_pixels(teacher).astype(int) - pad_pixels(student).astype(int))
    assert (pad_pixels(student) > 128).sum() > 2000             # the drawing, not an example
    assert (diff > 32).mean() < 0.01 and diff.mean() < 1.0
    assert student.locator('[data-view="network"] [data-role=example]').input_value() == ""
    assert student.evaluate(STAYED)
    shot(student, "follow-drawn-digit-en-1024")
    _close(teacher, student)


@pytest.mark.parametrize(("lang", "size"), STUDENTS)
def test_the_inspected_pixel_follows_in_place(
        browser: object, server_url: str, lang: str, size: tuple[int, int],
        shot: Callable[..., Path], axe: Callable[..., list[dict]]) -> None:
    teacher, student = start_and_join(browser, server_url, lang, size)
    _tab(teacher, "lab")
    _send(teacher)
    _tab_selected(student, "lab")
    student.wait_for_selector("#lab-pipeline[data-renders]")
    student.evaluate(MARK)
    teacher.wait_for_selector("#lab-pipeline .inspectable")
    teacher.locator("#lab-pipeline .inspectable").first.click(position={"x": 12, "y": 9})
    body = teacher.locator("#lab-inspector-body")
    pixel, stage = body.get_attribute("data-pixel"), body.get_attribute("data-stage")
    assert pixel and stage and f"px={stage}%3A" in teacher.url
    _send(teacher)
    student.wait_for_selector(f'#lab-inspector-body[data-pixel="{pixel}"][data-stage="{stage}"]',
                              timeout=10_000)
    assert student.locator("#lab-inspector-body").is_visible()
    assert student.locator("#lab-inspector-hint").is_hidden()
    assert student.evaluate(STAYED)
    student.locator("#lab-inspector-body").scroll_into_view_if_needed()
    shot(student, f"follow-pixel-{lang}-{size[0]}")
    _no_axe_findings(axe, student)
    _close(teacher, student)


SEND_RAW = """async (scene) => {
    const m = await import('/static/js/lib/classroom.js');
    await m.sendScene(m.loadSession(), scene);
}"""


def test_a_key_no_view_owns_still_reloads_and_an_unknown_ref_is_said(
        browser: object, server_url: str) -> None:
    """A scene changing a key no view applies (a worksheet) falls back to a reload with the
    teacher's query string, the class session kept; an image ref the server no longer keeps
    leaves the student's image as it was and says why next to the image controls."""
    teacher, student = start_and_join(browser, server_url)
    _tab(teacher, "lab")
    _send(teacher)
    _tab_selected(student, "lab")
    student.wait_for_selector("#lab-pipeline[data-shape-input]")
    before = student.locator("#lab-pipeline").get_attribute("data-shape-input")
    student.evaluate(MARK)
    scene_query = student.evaluate("() => { const p = new URLSearchParams(location.search);"
                                   " p.delete('img'); return p.toString(); }")
    teacher.evaluate(SEND_RAW, {"query": scene_query, "view": "lab", "image_ref": "0" * 64})
    said = student.wait_for_selector('[data-error-for="image"]:not([hidden])', timeout=10_000)
    assert said.inner_text().strip()
    assert student.evaluate(STAYED)
    assert student.locator("#lab-pipeline").get_attribute("data-shape-input") == before
    student.errors[:] = [e for e in student.errors if "status of 410" not in e]
    teacher.evaluate(SEND_RAW, {"query": "exercises-count=4&exercises-sheet=3&view=exercises",
                                "view": "exercises", "image_ref": None})
    student.wait_for_url("**/?*exercises-sheet=3*", timeout=10_000)
    student.wait_for_selector(".cls-bar")
    assert not student.evaluate("window.__stayed === true")  # reloaded, the session kept
    _tab_selected(student, "exercises")
    _close(teacher, student)


def test_the_training_timelines_step_follows_in_place(browser: object, server_url: str,
                                                      shot: Callable[..., Path]) -> None:
    """The teacher picks the colour model and scrubs its training timeline back to step 0: the
    student's network view shows that model at that checkpoint, without a reload."""
    teacher, student = start_and_join(browser, server_url, "ja", (390, 844))
    student.evaluate(MARK)
    _tab(teacher, "network")
    teacher.wait_for_selector('[data-view="network"][data-state="idle"][data-label]')
    teacher.locator('[data-view="network"] [data-role=model]').select_option("color-vgg")
    timeline = '[data-role="timeline"]'
    teacher.wait_for_selector(f"{timeline}:not([hidden])[data-state=idle][data-model=color-vgg]")
    teacher.eval_on_selector(f"{timeline} input[type=range]", "(r) => { r.value = '0';"
                             " r.dispatchEvent(new Event('input', { bubbles: true })); }")
    teacher.wait_for_selector(f"{timeline}[data-state=idle][data-model=color-vgg][data-step='0']")
    assert "network-step=0" in teacher.url and "network-model=color-vgg" in teacher.url
    _send(teacher)
    _tab_selected(student, "network")
    student.wait_for_selector(
        f"{timeline}:not([hidden])[data-state=idle][data-model=color-vgg][data-step='0']",
        timeout=20_000)
    assert student.locator('[data-view="network"] [data-role=model]').input_value() == "color-vgg"
    assert student.locator(f"{timeline} input[type=range]").input_value() == "0"
    assert student.evaluate(STAYED)
    student.locator(timeline).scroll_into_view_if_needed()
    shot(student, "follow-timeline-ja-390")
    _close(teacher, student)
