"""/api/exercises: questions, checks, the documented 4xx for every bad answer, each limit at
LIMIT and LIMIT + 1, never a 500."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.schemas.exercises import MAX_ANSWER_LEN, MAX_ANSWER_VALUE, MAX_SEED
from app.services import exercises as svc
from app.services.exercises import problem

URL = "/api/exercises"


def _err(r, status: int, code: str, field: str | None = None) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code, err
    if field is not None:
        assert err["field"] == field, err
    return err


def test_schema_limits_match_the_service() -> None:
    assert (MAX_SEED, MAX_ANSWER_VALUE) == (svc.MAX_SEED, svc.MAX_ANSWER_VALUE)


def test_kinds_and_question_in_both_languages(client) -> None:
    kinds = client.get(URL).json()["kinds"]
    assert {"id": "output-size", "section": "7.2.4", "title": "Output size",
            "section_title": "7.2.4 Stride"} in kinds
    ja = client.get(URL, headers={"Accept-Language": "ja"}).json()["kinds"]
    assert [k["id"] for k in ja] == [k["id"] for k in kinds] and ja != kinds
    q = client.get(f"{URL}/im2col-shape", params={"seed": 5, "lang": "ja"}).json()
    assert q["lang"] == "ja" and "im2col" in q["question"] and "answer" not in q
    assert set(q["inputs"]) >= {"N", "C", "H", "W", "FH", "FW", "pad", "stride"}


def test_check_right_wrong_hint_solution(client) -> None:
    p = problem("layer-shape", 11)
    right, wrong = list(p.answer), list(p.mistakes["fn_c_mixed"])
    r = client.post(f"{URL}/layer-shape/check", json={"seed": 11, "answer": right}).json()
    assert r == {"correct": True, "hint": None, "mistake": None, "solution": None}
    r = client.post(f"{URL}/layer-shape/check?lang=ja",
                    json={"seed": 11, "answer": wrong, "solution": True}).json()
    assert r["correct"] is False and r["mistake"] == "fn_c_mixed" and "FN" in r["hint"]
    assert r["solution"]["answer"] == right and "チャンネル" in r["solution"]["text"]


def test_output_size_as_dict_and_pair(client) -> None:
    oh, ow = problem("output-size", 4).answer
    for answer in ({"oh": oh, "ow": ow}, [oh, ow]):
        r = client.post(f"{URL}/output-size/check", json={"seed": 4, "answer": answer})
        assert r.json()["correct"] is True


def test_seed_at_limit_and_beyond(client) -> None:
    assert client.get(f"{URL}/max-pool", params={"seed": MAX_SEED}).status_code == 200
    _err(client.get(f"{URL}/max-pool", params={"seed": MAX_SEED + 1}), 422, "out_of_range",
         "seed")
    _err(client.get(f"{URL}/max-pool", params={"seed": -1}), 422, "out_of_range", "seed")
    fmt = problem("max-pool", MAX_SEED).format
    body = {"seed": MAX_SEED, "answer": [[0] * fmt.cols] * fmt.rows}
    assert client.post(f"{URL}/max-pool/check", json=body).status_code == 200
    _err(client.post(f"{URL}/max-pool/check", json=body | {"seed": MAX_SEED + 1}), 422,
         "out_of_range", "seed")


def test_answer_value_at_limit_and_beyond(client) -> None:
    ok = client.post(f"{URL}/same-padding/check", json={"seed": 1, "answer": MAX_ANSWER_VALUE})
    assert ok.status_code == 200 and ok.json()["correct"] is False
    _err(client.post(f"{URL}/same-padding/check",
                     json={"seed": 1, "answer": MAX_ANSWER_VALUE + 1}), 422, "out_of_range",
         "answer")


def test_answer_lengths_at_limit_and_beyond(client) -> None:
    at = client.post(f"{URL}/output-size/check", json={"seed": 1, "answer": [1] * MAX_ANSWER_LEN})
    _err(at, 422, "exercise_answer_invalid", "answer")  # a valid list, the wrong shape
    _err(client.post(f"{URL}/output-size/check",
                     json={"seed": 1, "answer": [1] * (MAX_ANSWER_LEN + 1)}), 422,
         "too_many_items")
    rows = [[1] * MAX_ANSWER_LEN] * MAX_ANSWER_LEN
    _err(client.post(f"{URL}/max-pool/check", json={"seed": 1, "answer": rows}), 422,
         "exercise_answer_invalid")
    _err(client.post(f"{URL}/max-pool/check", json={"seed": 1, "answer": rows + [[1]]}), 422,
         "too_many_items")


def test_bad_answers_are_documented_4xx(client) -> None:
    for answer in ("3", 3.5, True, None, [], {"oh": 1}, {"oh": "1", "ow": 2}, [[1, "x"]]):
        r = client.post(f"{URL}/output-size/check", json={"seed": 1, "answer": answer})
        assert r.status_code == 422, (answer, r.text)
    _err(client.post(f"{URL}/output-size/check", json={"seed": 1}), 422, "missing", "answer")
    _err(client.post(f"{URL}/nope/check", json={"seed": 1, "answer": 1}), 404, "exercise_unknown")
    _err(client.get(f"{URL}/nope"), 404, "exercise_unknown", "kind")
    _err(client.get(URL, params={"lang": "fr"}), 422, "not_allowed", "lang")
    deep = b'{"seed": 1, "answer": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    r = client.post(f"{URL}/output-size/check", content=deep,
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request"
    huge = json.dumps({"seed": 1, "answer": [1] * 4_000_000}).encode()
    r = client.post(f"{URL}/output-size/check", content=huge,
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"


JSON = st.recursive(st.none() | st.booleans() | st.integers()
                    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5),
                    lambda c: st.lists(c, max_size=10) | st.dictionaries(st.text(max_size=3), c,
                                                                        max_size=3),
                    max_leaves=40)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # the client is stateless
@given(answer=JSON, kind=st.sampled_from(sorted(svc.KINDS)))
def test_any_json_answer_is_200_or_a_documented_4xx(client, answer, kind) -> None:
    r = client.post(f"{URL}/{kind}/check", json={"seed": 9, "answer": answer})
    assert r.status_code in (200, 422), r.text
    if r.status_code == 422:
        assert set(r.json()["error"]) == {"code", "field", "limit", "message"}


def test_openapi_documents_the_routes(client) -> None:
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/api/exercises/{kind}/check"]["post"]
    assert {"404", "413", "422"} <= set(post["responses"])
    schema = spec["components"]["schemas"]["CheckRequest"]["properties"]["seed"]
    assert schema["maximum"] == MAX_SEED and schema["minimum"] == 0
    assert "/api/exercises/{kind}" in spec["paths"] and "/api/exercises" in spec["paths"]
