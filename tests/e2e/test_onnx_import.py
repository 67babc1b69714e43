"""Bring your own CNN in the browser: an .onnx file chosen in the network view is imported, the
match badge and the layer table (ONNX op, shapes, parameter formulas, FLOPs) appear, the id goes
in the URL and the shared link opens the model again; both languages, three viewports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.onnx_import.fixtures import lenet5, vgg64

SECTION = "section[data-view=network]"
VIEWPORTS = [(1024, 768), (1280, 720), (390, 844)]


def _import(page, url: str, path: Path, lang: str):  # type: ignore[no-untyped-def]
    page.goto(f"{url}/?view=network&lang={lang}")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector(f"{SECTION}[data-onnx-state=idle]")
    page.locator(f"{SECTION} [data-role=onnxFile]").set_input_files(str(path))
    page.wait_for_selector(f"{SECTION}[data-onnx][data-onnx-state=idle]")
    return page.locator(f"{SECTION} [data-role=onnxImport]")


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize(("w", "h"), VIEWPORTS)
def test_import_shows_badge_layers_and_link(browser, server_url: str, tmp_path: Path, shot,  # type: ignore[no-untyped-def]
                                            lang: str, w: int, h: int) -> None:
    ctx = browser.new_context(viewport={"width": w, "height": h}, locale="en-US")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        path = tmp_path / "lenet5.onnx"
        path.write_bytes(lenet5().SerializeToString())
        panel = _import(page, server_url, path, lang)
        badge = panel.locator("[data-role=onnxBadge]")
        want = "Matches the ONNX reference" if lang == "en" else "ONNX リファレンスと"
        assert want in badge.inner_text()
        rows = panel.locator("tbody tr")
        assert rows.count() == 14  # input + 13 layers
        assert rows.nth(1).locator("td").all_inner_texts() == [
            "conv1", "Conv", "6×28×28", "6·1·5·5 + 6 = 156", "235,200"]
        assert "onnx=onnx-" in page.url
        panel.scroll_into_view_if_needed()
        shot(page, f"onnx-import-{lang}-{w}x{h}")
        page.goto(page.url)  # the shared link opens the same model
        page.wait_for_selector(f"{SECTION}[data-onnx]")
        assert page.locator(f"{SECTION} [data-role=onnxImport] tbody tr").count() == 14
    finally:
        ctx.close()
    assert errors == []


def test_bad_file_and_rgb_model(page, server_url: str, tmp_path: Path,  # type: ignore[no-untyped-def]
                                shot: Callable[..., Path]) -> None:
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not an onnx model")
    page.allowed_console_errors.append("400")
    panel = _import_bad(page, server_url, bad)
    assert "could not be imported" in panel.locator("[data-role=onnxStatus]").inner_text()
    good = tmp_path / "vgg.onnx"
    good.write_bytes(vgg64().SerializeToString())
    page.locator(f"{SECTION} [data-role=onnxFile]").set_input_files(str(good))
    page.wait_for_selector(f"{SECTION}[data-onnx][data-onnx-state=idle]")
    assert "batchnorm" not in panel.inner_text()  # names are bn1, …
    assert "bn1" in panel.inner_text() and "BatchNormalization" in panel.inner_text()
    panel.scroll_into_view_if_needed()
    shot(page, "onnx-import-vgg64")


def _import_bad(page, url: str, path: Path):  # type: ignore[no-untyped-def]
    page.goto(f"{url}/?view=network")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector(f"{SECTION}[data-onnx-state=idle]")
    page.locator(f"{SECTION} [data-role=onnxFile]").set_input_files(str(path))
    page.wait_for_selector(f"{SECTION} [data-role=onnxStatus]:has-text('could not')")
    return page.locator(f"{SECTION} [data-role=onnxImport]")
