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
