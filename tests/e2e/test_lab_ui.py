"""The filter lab's errors, keyboard access, languages, webcam message, drop/paste and downloads."""

from __future__ import annotations

import io

import numpy as np

from tests.e2e.lab_helpers import (
    open_lab,
    read_bytes,
    renders,
    set_number,
    shapes,
    test_image_png,
    wait_render_after,
    wait_shape,
)

# Latin words (3+ letters) in the lab's visible text, options and aria-labels: in Japanese only the
# technical names that the book also writes in Latin letters may remain.
LATIN_WORDS = """() => {
  const root = document.querySelector('#panel-lab'), out = new Set();
  const add = (text) => { for (const w of text.match(/[A-Za-z]{3,}/g) ?? []) out.add(w); };
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement.offsetParent) add(n.textContent);
  }
  root.querySelectorAll('option').forEach((o) => add(o.textContent));
  root.querySelectorAll('[aria-label]').forEach((e) => add(e.getAttribute('aria-label')));
  return [...out];
}"""


def test_api_error_shown_next_to_its_control_and_page_recovers(page, server_url, shot):
    page.allowed_console_errors.append("status of 422")
    open_lab(page, server_url)
    set_number(page, "#lab-stride", 100)  # the API's limit is 64
    error = page.locator("[data-error-for='stride']")
    error.wait_for(state="visible")
    # Checked in the page from the API's declared limits: the control's own label and its range.
    assert error.inner_text() == "Stride S: a whole number from 1 to 64."
    assert page.get_attribute("#lab-stride", "aria-invalid") == "true"
    assert page.get_attribute("#lab-stride", "aria-describedby") == error.get_attribute("id")
    # The error sits inside the same fieldset as the stride control.
    assert page.locator("#group-geometry [data-error-for='stride']").is_visible()
    assert page.locator("[data-error-for='general']").is_hidden()
    shot(page, "lab-error")
    before = renders(page)
    set_number(page, "#lab-stride", 1)
    wait_render_after(page, before)
    assert error.is_hidden() and page.get_attribute("#lab-stride", "aria-invalid") is None

    set_number(page, "#lab-poolsize", 40)  # limit 32
    page.locator("[data-error-for='pool']").wait_for(state="visible")
    assert "32" in page.inner_text("[data-error-for='pool']")


def test_every_control_keyboard_reachable_with_visible_focus(page, server_url):
    open_lab(page, server_url)
    page.focus("#tab-lab")
    seen: list[str] = []
    for _ in range(80):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { const e = document.activeElement;
            const st = getComputedStyle(e);
            return {id: e.id || e.className || e.tagName, outline: st.outlineStyle,
                    width: st.outlineWidth}; }""")
        seen.append(info["id"])
        assert info["outline"] != "none" and info["width"] != "0px", f"{info} after {seen}"
        if info["id"] == "lab-link":
            break
    for control in ["lab-sample", "lab-file", "lab-webcam", "lab-kernel", "lab-kh", "lab-kw",
                    "lab-bias", "lab-pad", "lab-padmode", "lab-stride", "lab-dilation",
                    "lab-activation", "lab-pool", "lab-poolsize", "lab-poolstride", "lab-npy",
                    "lab-curl", "lab-link"]:
        assert control in seen, (control, seen)
    assert sum(1 for s in seen if s == "kernel-cell") == 9
    assert any(s.startswith("map inspectable") for s in seen)
    # Every form control has an accessible name (a <label for>, aria-label or aria-labelledby).
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        '#lab-form input, #lab-form select, #lab-form button')].filter(e =>
        !(e.labels && e.labels.length) && !e.getAttribute('aria-label') &&
        !e.getAttribute('aria-labelledby') && !e.textContent.trim()).map(e => e.id || e.name)""")
    assert unlabelled == []


def test_japanese_and_toggle(page, server_url, shot):
    open_lab(page, server_url, "?lang=ja")
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert page.inner_text("#tab-lab") == "フィルター実験室"
    assert page.inner_text("#group-filter legend") == "フィルター"
    assert "出力サイズ" in page.inner_text("#lab-formula")
    assert page.inner_text("figure[data-stage='conv'] .stage-name") == "畳み込み"
    assert "平滑化" in page.inner_html("#lab-kernel")
    words = set(page.evaluate(LATIN_WORDS))
    assert words <= {"Web", "Ctrl", "RGB", "PNG", "ReLU", "npy", "curl"}, words
    shot(page, "lab-japanese")
    page.click(".lang-btn[data-lang='en']")
    page.wait_for_selector("html[lang='en']", state="attached")
    assert page.inner_text("#tab-lab") == "Filter lab"
    assert page.inner_text("figure[data-stage='conv'] .stage-name") == "Convolution"
    assert "lang=en" in page.url


def test_webcam_unavailable_gives_a_message(page, server_url):
    open_lab(page, server_url)
    page.click("#lab-webcam")
    msg = page.locator("[data-error-for='image']")
    msg.wait_for(state="visible")
    assert "webcam" in msg.inner_text().lower()
    assert shapes(page)["conv"]  # the page still shows its maps


def test_drop_and_paste_an_image(page, server_url):
    open_lab(page, server_url)
    png = list(test_image_png(24, 18))
    for kind in ("drop", "paste"):
        before = renders(page)
        page.evaluate("""([bytes, kind]) => {
            const file = new File([new Uint8Array(bytes)], 'x.png', {type: 'image/png'});
            const dt = new DataTransfer(); dt.items.add(file);
            const ev = kind === 'drop'
              ? new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true})
              : new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true});
            document.querySelector('main').dispatchEvent(ev); }""", [png, kind])
        wait_render_after(page, before)
        assert shapes(page)["input"] == [1, 18, 24], kind


def test_downloads_png_npy_and_curl(page, server_url):
    open_lab(page, server_url)
    with page.expect_download() as dl:
        page.click("#lab-npy")
    arr = np.load(io.BytesIO(read_bytes(dl.value.path())))
    C, H, W = shapes(page)["pool"]
    assert arr.shape == (1, C, H, W) and arr.dtype == np.float32
    assert float(arr.min()) >= 0  # after ReLU and max pooling
    with page.expect_download() as dl:
        page.click("figure[data-stage='conv'] button[data-download]")
    assert dl.value.suggested_filename == "convscope-conv.png"
    assert read_bytes(dl.value.path())[:8] == b"\x89PNG\r\n\x1a\n"
    page.click("#lab-curl")
    text = page.inner_text("#lab-curl-text")
    assert text.startswith(f"curl -X POST {server_url}/api/convolve")
    assert "Accept: application/x-npy" in text and '"pad":1' in text
    assert "include_values" not in text


def test_debounced_requests_and_loading_state(page, server_url):
    open_lab(page, server_url)
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.url.endswith("/api/convolve") else None)
    before = renders(page)
    for value in (2, 3, 4, 5, 6, 1, 2):   # a burst of edits (typing is debounced 60 ms)
        set_number(page, "#lab-pad", value)
    _, H, W = (int(n) for n in page.get_attribute("#lab-pipeline", "data-shape-input").split(","))
    wait_shape(page, "conv", [1, H + 2 * 2 - 2, W + 2 * 2 - 2])   # only the last edit is drawn
    assert renders(page) > before and len(sent) <= 7, sent
    assert page.input_value("#lab-pad") == "2" and "p=2" in page.url

    held: list = []

    def hold(route):  # a slow server: the request waits until the test lets it through
        held.append(route)

    page.route("**/api/convolve", hold)
    set_number(page, "#lab-stride", 2)
    page.locator(".loading-badge").wait_for(state="visible")
    assert page.get_attribute("#lab-pipeline", "aria-busy") == "true"
    before = renders(page)
    held[-1].continue_()
    page.unroute("**/api/convolve", hold)
    wait_render_after(page, before)
    assert page.locator(".loading-badge").is_hidden()


def test_browser_language_is_the_default(browser, server_url):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="ja-JP")
    try:
        page = context.new_page()
        open_lab(page, server_url)
        assert page.evaluate("document.documentElement.lang") == "ja"
        assert page.inner_text("#tab-lab") == "フィルター実験室"
        assert "lang=" not in page.url        # only an explicit choice goes into the URL
        open_lab(page, server_url, "?lang=en")  # ?lang= wins over the browser
        assert page.inner_text("#tab-lab") == "Filter lab"
    finally:
        context.close()
