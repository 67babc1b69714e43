"""/worksheet and /worksheet/key: the same questions as the API, the key's answers right, limits
at LIMIT and LIMIT + 1, a QR code and link back to the interactive page."""

from __future__ import annotations

import re

from app.services.exercises import check, generate
from app.services.exercises.worksheet import MAX_COUNT, items


def test_sheet_and_key_hold_the_same_questions(client) -> None:
    params = {"sections": ["7.2.2", "7.3"], "count": 4, "seed": 21, "lang": "ja"}
    sheet = client.get("/worksheet", params=params)
    key = client.get("/worksheet/key", params=params)
    assert sheet.status_code == key.status_code == 200
    assert sheet.headers["content-type"].startswith("text/html")
    for kind, seed in items(["7.2.2", "7.3"], 4, 21):
        q = generate(kind, seed, "ja")
        assert q["question"] in sheet.text and q["question"] in key.text
    answers = re.findall(r'<span class="ws-value">([^<]*)</span>', key.text)
    assert len(answers) == 4 and "ws-value" not in sheet.text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in sheet.text
    assert "view=exercises" in sheet.text and "exercises-sheet=21" in sheet.text


def test_key_answers_are_accepted_by_the_checker(client) -> None:
    import json

    text = client.get("/worksheet/key", params={"count": 10, "seed": 5}).text
    values = [json.loads(v.replace("&#34;", '"')) for v in
              re.findall(r'<span class="ws-value">([^<]*)</span>', text)]
    for (kind, seed), answer in zip(items([], 10, 5), values, strict=True):
        assert check(kind, seed, answer)["correct"] is True


def test_worksheet_limits(client) -> None:
    assert client.get("/worksheet", params={"count": MAX_COUNT}).status_code == 200
    r = client.get("/worksheet", params={"count": MAX_COUNT + 1})
    assert r.status_code == 422 and r.json()["error"]["field"] == "count"
    assert client.get("/worksheet", params={"count": 0}).status_code == 422
    r = client.get("/worksheet", params={"sections": ["7.9"]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "worksheet_section_unknown"
    r = client.get("/worksheet", params={"seed": 2**31})
    assert r.status_code == 422 and r.json()["error"]["field"] == "seed"
    r = client.get("/worksheet", params={"sections": ["7.3"] * 9})
    assert r.status_code == 422
    assert client.get("/worksheet", params={"sections": ["7.3"] * 8}).status_code == 200


def test_api_worksheet_lists_the_sheets_questions(client) -> None:
    r = client.get("/api/worksheet", params={"sections": ["7.3", "7.4.2"], "count": 3, "seed": 8})
    assert r.json() == {"items": [{"kind": k, "seed": s}
                                  for k, s in items(["7.3", "7.4.2"], 3, 8)]}
    assert client.get("/api/worksheet", params={"count": MAX_COUNT}).status_code == 200
    r = client.get("/api/worksheet", params={"count": MAX_COUNT + 1})
    assert r.status_code == 422 and r.json()["error"]["limit"] == MAX_COUNT
    sheet = client.get("/worksheet", params={"sections": ["7.3"], "count": 3, "seed": 8}).text
    assert "exercises-sheet=8&amp;exercises-count=3&amp;exercises-sections=7.3" in sheet
