"""The README's slide-7 example is what the API answers: its request and its JSON block."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

README = Path(__file__).resolve().parents[2] / "README.md"
FENCE = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def _slide7_blocks() -> tuple[dict, dict]:
    """(the request body of the slide-7 curl, the JSON block that follows it) from README.md."""
    blocks = FENCE.findall(README.read_text(encoding="utf-8"))
    i = next(i for i, (lang, text) in enumerate(blocks) if lang == "sh" and "slide-7" in text)
    request = re.search(r"-d '(\{.*?\})'", blocks[i][1], re.DOTALL)
    assert request, "the slide-7 curl has no -d '{...}' body"
    lang, answer = blocks[i + 1]
    assert lang == "json", "the slide-7 curl is not followed by its JSON answer"
    return json.loads(request.group(1)), json.loads(answer)


def test_readme_slide7_answer_is_the_apis(client: TestClient) -> None:
    request, shown = _slide7_blocks()
    r = client.post("/api/convolve", json=request)
    assert r.status_code == 200, r.text
    body = r.json()
    assert shown == {key: body[key] for key in shown}
    assert set(shown) == {"shape", "output"}
    assert shown["shape"] == [1, 1, 2, 2]  # (N, FN, OH, OW), as the README explains
    assert shown["output"][0][0] == [[18, 19], [9, 18]]  # the slide's numbers


def test_readme_says_why_the_answer_is_4d() -> None:
    text = README.read_text(encoding="utf-8")
    assert "[[18, 19], [9, 18]]` is `output[0][0]`" in text
    assert "(N, FN, OH, OW)" in text


def _step_right() -> list[list[int]]:
    """6×6, dark (0) on the left, bright (1) on the right."""
    return [[0, 0, 0, 1, 1, 1] for _ in range(6)]


def test_readme_kernel_claims_hold_through_the_api(client: TestClient) -> None:
    """No flip, sobel-x positive where brightness increases to the right, motion-blur 45° = /."""
    text = README.read_text(encoding="utf-8")
    assert "**without flipping**" in text and "cross-correlation (相互相関)" in text
    assert "x[n, c, i·S + u·D, j·S + v·D] · W[f, c, u, v] + b[f]" in text
    assert "counter-clockwise from\nhorizontal as the image is seen on screen" in text
    assert "45 runs from bottom\nleft to top right (`/`)" in text

    def convolve(input_: list, **spec: object) -> dict:
        r = client.post("/api/convolve", json={"input": input_, "spec": spec})
        assert r.status_code == 200, r.text
        return r.json()

    assert convolve(_step_right(), kernel="sobel-x")["output"][0][0][0] == [0, 4, 4, 0]
    step_left = [[1 - v for v in row] for row in _step_right()]
    assert convolve(step_left, kernel="sobel-x")["output"][0][0][0] == [0, -4, -4, 0]
    step_down = [list(col) for col in zip(*_step_right(), strict=True)]
    assert [r[0] for r in convolve(step_down, kernel="sobel-y")["output"][0][0]] == [0, 4, 4, 0]
    dot = [[1 if (r, c) == (1, 1) else 0 for c in range(3)] for r in range(3)]
    asym = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert convolve(dot, kernel=asym, pad=1)["output"][0][0] == [[9, 8, 7], [6, 5, 4], [3, 2, 1]]
    blur = convolve(dot, kernel={"id": "motion-blur", "length": 3, "angle": 45})["kernel"]
    nonzero = [(r, c) for r, row in enumerate(blur["values"]) for c, v in enumerate(row) if v]
    assert nonzero == [(0, 2), (1, 1), (2, 0)]  # /: bottom left to top right
