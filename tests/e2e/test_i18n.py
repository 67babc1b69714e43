"""The whole page in Japanese and in English: switching the language at run time changes every
visible label. Every tab is opened; every visible text node, the shown option of every select and
every aria-label / placeholder / title / alt is checked. Only numbers, formulas, units, kernel and
layer ids and proper names may stay in Latin letters in Japanese."""

from __future__ import annotations

import re
from typing import Any

import httpx
from views_helpers import wait_runs

MY_VIEWS = ("conv3d", "batch", "im2col", "pooling", "sliding", "structure")

# Proper names, symbols and units that are the same in both languages.
ALLOWED = {
    "ConvScope",
    "ReLU",
    "NumPy",
    "Python",
    "PyTorch",
    "OpenCV",
    "MNIST",
    "CNN",
    "Affine",
    "Softmax",
    "SoftmaxWithLoss",
    "Conv",
    "Pooling",
    "Max",
    "im2col",
    "col2im",
    "SimpleConvNet",
    "Sobel",
    "Prewitt",
    "Scharr",
    "Adam",
    "Grad",  # Grad-CAM, a method's name (CAM passes as a symbol)
    "SGD",
    "PNG",
    "NPY",
    "IDX",  # the MNIST file format, named like PNG
    "Fashion",  # Fashion-MNIST, a dataset's name
    "JPEG",
    "GIF",
    "BMP",
    "WebP",
    "curl",
    "API",
    "REST",
    "JSON",
    "OpenAPI",
    "URL",
    "float32",
    "uint8",
    "Deep",
    "Learning",
    "kB",
    "MB",
    "GB",
    "KiB",
    "MiB",
    "px",
    "ms",
    "RGB",
    "dB",
    "CSV",
    "NCHW",
    "Docker",
    "GitHub",
    "Scratch",
    "Web",
    "Ctrl",
    "Shift",
    "Alt",
    "Enter",
    "Tab",
    "Esc",
    "npy",
    "png",
    "json",
    "ONNX",  # the model format (bring your own CNN)
    "ImageNet",
    "FLOPs",
}
SYMBOL = re.compile(r"^(?:[A-Z]{1,3}\d*|[a-z]|[A-Z][a-z]?_\w+)$")  # OH, FN, P, x, b, W_1
LAYER = re.compile(r"^(?:input|conv|relu|pool|affine|softmax)\d*$")
NUMBER = re.compile(r"(?<![A-Za-z0-9_])[-−+]?\d+(?:[.,]\d+)*(?:e[-+−]?\d+)?")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_']*(?:-[A-Za-z0-9_]+)*")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")

COLLECT = """
() => {
  const out = [];
  const seen = (el) => el && (el.checkVisibility ? el.checkVisibility({checkVisibilityCSS: true})
                                                  : el.getClientRects().length > 0);
  const where = (el) => {
    const view = el.closest('section[data-view]')?.dataset.view
      || (el.closest('header') ? 'header' : el.closest('footer') ? 'footer' : 'page');
    const key = el.closest('[data-i18n]')?.dataset.i18n || '';
    const name = typeof el.className === 'string' ? el.className.split(' ')[0] : '';
    const cls = name ? '.' + name : '';
    return `${view} <${el.tagName.toLowerCase()}${cls}>${key ? ' ' + key : ''}`;
  };
  const foreign = (el) => {   // text deliberately in another language (the language buttons)
    const owner = el.closest('[lang]');
    return owner && owner !== document.documentElement;
  };
  const code = (el) => !!el.closest('code, kbd, samp, pre');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    const text = n.nodeValue.trim();
    if (!text || !el || el.closest('script, style, noscript, template, option, select')) continue;
    if (!seen(el) || foreign(el)) continue;
    out.push({text, where: where(el), code: code(el)});
  }
  for (const sel of document.querySelectorAll('select')) {
    if (!seen(sel) || sel.selectedIndex < 0) continue;
    const w = where(sel);
    const shown = sel.options[sel.selectedIndex].text;
    out.push({text: shown, where: w + ' (selected option)', code: false});
    for (const o of sel.options) out.push({text: o.text, where: w + ' (option)', code: false});
  }
  // A visible native file input shows the browser's own English label.
  for (const el of document.querySelectorAll('input[type=file]')) {
    const box = el.getBoundingClientRect();
    if (seen(el) && box.width > 2 && box.height > 2 && getComputedStyle(el).opacity !== '0') {
      const text = 'Choose File / No file chosen (native file input)';
      out.push({text, where: where(el), code: false});
    }
  }
  for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
    if (!seen(el) || foreign(el)) continue;
    for (const attr of ['aria-label', 'placeholder', 'title', 'alt']) {
      const v = (el.getAttribute(attr) || '').trim();
      if (v) out.push({text: v, where: `${where(el)} [${attr}]`, code: false});
    }
  }
  return out;
}
"""


def english_words(text: str, ids: set[str]) -> list[str]:
    """The Latin-letter words of a Japanese-page string that are not allowed to stay English."""
    text = NUMBER.sub(" ", re.sub(r"https?://\S+|/api/\S*|\bv\d+(?:\.\d+)+", " ", text))
    bad = []

    def ok(word: str) -> bool:
        return word in ALLOWED or word in ids or bool(SYMBOL.match(word) or LAYER.match(word))

    for word in WORD.findall(text):
        if not (ok(word) or all(ok(part) for part in word.split("-"))):
            bad.append(word)
    return bad


def _ids(server_url: str) -> set[str]:
    """Kernel ids and model ids: identifiers shown as they are."""
    kernels = httpx.get(f"{server_url}/api/kernels").json()["kernels"]
    models = httpx.get(f"{server_url}/api/models").json()["models"]
    return {k["id"] for k in kernels} | {m["id"] for m in models}


def _visit(page: Any, tab: str) -> None:
    page.locator(f'[role=tab][data-tab="{tab}"]').click()
    page.wait_for_load_state("networkidle")
    if tab in MY_VIEWS:
        wait_runs(page, tab)


def _report(found: dict[str, set[str]]) -> str:
    """One line per pattern (digits folded: 30 'filter N' buttons make one line), with a count."""
    groups: dict[tuple[str, str], int] = {}
    for text, wheres in found.items():
        for where in wheres:
            key = (re.sub(r"\d+", "#", where), re.sub(r"\d+", "#", text))
            groups[key] = groups.get(key, 0) + 1
    return "\n".join(
        f"  {where}: {text!r}" + (f" (×{n})" if n > 1 else "")
        for (where, text), n in sorted(groups.items())
    )


def test_switching_to_japanese_translates_every_visible_string(
    page: Any, server_url: str, shot: Any
) -> None:
    ids = _ids(server_url)
    page.goto(f"{server_url}/?lang=en&img=shapes")
    page.wait_for_selector("body[data-ready=true]", timeout=30000)
    tabs = page.locator("[role=tab][data-tab]").evaluate_all("ts => ts.map(t => t.dataset.tab)")
    assert set(MY_VIEWS) <= set(tabs)
    for tab in tabs:  # every view computed in English first, then switched at run time
        _visit(page, tab)
        shot(page, f"i18n-{tab}-en", full_page=True)
    page.locator('.lang-btn[data-lang="ja"]').click()
    page.wait_for_function("() => document.documentElement.lang === 'ja'")
    assert "lang=ja" in page.url
    found: dict[str, set[str]] = {}
    for tab in tabs:
        _visit(page, tab)
        strings = page.evaluate(COLLECT)
        assert any(JAPANESE.search(s["text"]) for s in strings), f"no Japanese at all on {tab}"
        for s in strings:
            if not s["code"] and english_words(s["text"], ids):
                found.setdefault(s["text"], set()).add(s["where"])
        shot(page, f"i18n-{tab}-ja", full_page=True)
    assert not found, f"{len(found)} strings left in English on the Japanese page:\n" + _report(
        found
    )


def test_english_page_has_no_japanese_left(page: Any, server_url: str) -> None:
    page.goto(f"{server_url}/?lang=ja&img=shapes")
    page.wait_for_selector("body[data-ready=true]", timeout=30000)
    tabs = page.locator("[role=tab][data-tab]").evaluate_all("ts => ts.map(t => t.dataset.tab)")
    for tab in tabs:
        _visit(page, tab)
    page.locator('.lang-btn[data-lang="en"]').click()
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    found: dict[str, set[str]] = {}
    for tab in tabs:
        _visit(page, tab)
        for s in page.evaluate(COLLECT):
            if JAPANESE.search(s["text"]):
                found.setdefault(s["text"], set()).add(s["where"])
    assert not found, f"{len(found)} strings left in Japanese on the English page:\n" + _report(
        found
    )


def test_the_rule_itself() -> None:
    """The allow-list keeps formulas, units and names, and catches English words."""
    ids = {"sobel-x", "simple-convnet"}
    assert english_words("OH = (H + 2P − FH) / S + 1 = 7", ids) == []
    assert english_words("出力 (2, 96, 96)、1.4e-6、12.3 MB、sobel-x、conv1、ReLU", ids) == []
    assert english_words("パディング P、Padding mode", ids) == ["Padding", "mode"]
    assert english_words("Filter 1", ids) == ["Filter"]
    assert english_words("im2col、float32、Conv-ReLU-Pooling ×2、Webカメラ、(.npy)", ids) == []
