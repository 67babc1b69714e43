"""Notes the browser's own shrinking would lose (issue 11): an animated GIF's frame count, PNG
transparency and 16 bits per channel are read from the file in the page (lib/filenotes.js) and
said next to the input in EN and JA; a GIF small enough to be sent as it is gets the server's
note, which carries N too. Files are made here with Pillow."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tests.e2e.lab_helpers import READY, renders, wait_render_after

WORDS = {
    "en": {"frames": "only the first frame of 5 is used", "alpha": "composited on white",
           "bits": "16 bits per channel reduced to 8 bits", "small": "first frame of 3 "},
    "ja": {"frames": "5 フレームのうち最初のフレーム", "alpha": "透明な部分は白の背景",
           "bits": "16 ビットを 8 ビットに", "small": "3 フレームのうち"},
}


def _upload(page: Any, name: str, mime: str, data: bytes) -> str:
    before = renders(page)
    page.set_input_files("#lab-file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    wait_render_after(page, before)
    return str(page.inner_text("#lab-resized"))


def _save(img: Image.Image, fmt: str, **kw: Any) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def _gif(w: int, h: int, n: int) -> bytes:
    frames = [Image.new("L", (w, h), 20 + 40 * k) for k in range(n)]
    return _save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_notes_the_browser_shrinking_would_lose(page: Any, server_url: str, shot: Any,
                                                lang: str) -> None:
    page.goto(f"{server_url}/?lang={lang}&img=shapes&ws=256")
    page.wait_for_selector(READY)
    w = WORDS[lang]
    note = _upload(page, "anim.gif", "image/gif", _gif(600, 400, 5))   # shrunk by the browser
    assert "600×400" in note and w["frames"] in note
    rgba = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    rgba.paste((200, 40, 40, 255), (100, 100, 300, 300))
    note = _upload(page, "logo.png", "image/png", _save(rgba, "PNG"))
    assert w["alpha"] in note and note.count(w["alpha"]) == 1   # said once (page or server)
    ramp = (np.mgrid[0:400, 0:600][1] * 100).astype(np.uint16)     # 0 … 59,900: 16-bit gray
    note = _upload(page, "depth.png", "image/png", _save(Image.fromarray(ramp), "PNG"))
    assert w["bits"] in note and "600×400" in note
    shot(page, f"lab-filenotes-1280x720-{lang}")
    note = _upload(page, "small.gif", "image/gif", _gif(40, 30, 3))   # sent as it is: server note
    assert w["small"] in note and note.count(w["small"]) == 1


def test_an_8_bit_opaque_png_gets_no_such_note(page: Any, server_url: str) -> None:
    page.goto(f"{server_url}/?img=shapes&ws=256")
    page.wait_for_selector(READY)
    note = _upload(page, "plain.png", "image/png", _save(Image.new("RGB", (600, 400),
                                                                   (90, 90, 90)), "PNG"))
    assert "600×400" in note
    for words in WORDS["en"].values():
        assert words not in note
