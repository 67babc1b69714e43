"""A hand-drawn digit in the URL (static/js/views/network/strokes.js, key network-strokes): the
pad records what the hand drew, a link replays it, and the classroom's follow carries it (that
test is in test_classroom_follow.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

pytestmark = pytest.mark.e2e

PAD = '[data-view="network"] [data-role=pad]'
IDLE = '[data-view="network"][data-state="idle"][data-label]'
CODEC = """async () => {
  const m = await import('/static/js/views/network/strokes.js');
  const drawing = [[[0.1, 0.2, 0.5], [0.3004, 0.4, 0.5]], [[0.5, 0.5, 0.73], [0.6, 0.9, 0.5]]];
  const text = m.encodeStrokes(drawing);
  const long = [Array.from({ length: 1500 }, (_, i) => [i / 1500, 0.5, 0.5])];
  const longText = m.encodeStrokes(long);
  const bad = ['', 'abc', '1.2.3.4x', '5000.5', '1e3.2', '100.200.500'];
  return { text, back: m.decodeStrokes(text), none: m.encodeStrokes([]),
           picture: m.encodeStrokes(null), max: m.MAX_POINTS,
           longPoints: m.decodeStrokes(longText)[0].length,
           bad: bad.map((t) => m.decodeStrokes(t)),
           query: new URLSearchParams({ s: text }).toString() === `s=${text}` };
}"""


def pad_pixels(page: Any) -> np.ndarray:
    data = page.locator(PAD).evaluate(
        "c => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)")
    return np.asarray(data, np.uint8).reshape(280, 280, 4)[..., 0]


def draw_a_four(page: Any) -> None:
    """Two mouse strokes on the pad (a rough 4), as a hand would draw them."""
    box = page.locator(PAD).bounding_box()
    at = lambda x, y: (box["x"] + x * box["width"], box["y"] + y * box["height"])  # noqa: E731
    for stroke in ([(0.35, 0.15), (0.25, 0.55), (0.7, 0.55)], [(0.6, 0.2), (0.6, 0.9)]):
        page.mouse.move(*at(*stroke[0]))
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(*at(x, y), steps=8)
        page.mouse.up()


def test_the_codec_round_trips_thins_and_refuses(page: Any, server_url: str) -> None:
    page.goto(f"{server_url}/")
    got = page.evaluate(CODEC)
    assert got["text"] == "100.200_300.400*500.500.73_600.900"
    assert got["back"] == [[[0.1, 0.2, 0.5], [0.3, 0.4, 0.5]], [[0.5, 0.5, 0.73], [0.6, 0.9, 0.5]]]
    assert got["none"] is None and got["picture"] is None
    assert got["longPoints"] <= got["max"] == 600 and got["longPoints"] >= 500
    assert got["bad"] == [None] * 6
    assert got["query"]                       # a query string keeps the text as it is


def test_a_drawing_goes_in_the_url_and_a_link_replays_it(page: Any, server_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{server_url}/?view=network")
    page.wait_for_selector(IDLE)
    page.locator('[data-view="network"] [data-role=clear]').click()
    draw_a_four(page)
    page.wait_for_function("() => new URL(location.href).searchParams.has('network-strokes')")
    page.wait_for_selector(IDLE)
    mine, label = pad_pixels(page), page.get_attribute('[data-view="network"]', "data-label")
    assert "network-digit" not in page.url and (mine > 128).sum() > 2000   # ink on the pad
    other = page.context.new_page()
    other.set_viewport_size({"width": 1024, "height": 768})
    other.goto(page.url)
    other.wait_for_selector(f'[data-view="network"][data-state="idle"][data-label="{label}"]')
    theirs = pad_pixels(other)
    # the same drawing, to the link's 0.28 px: a few edge pixels' antialiasing may differ
    diff = np.abs(mine.astype(int) - theirs.astype(int))
    assert (diff > 32).mean() < 0.01 and diff.mean() < 1.0
    other.close()
