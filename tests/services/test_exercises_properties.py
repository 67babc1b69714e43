"""Property tests over many seeds: every kind's question is deterministic, answerable and
unambiguous; the right answer (computed independently) is accepted; every common mistake gets
its own hint; no mistake answer equals the right one."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.exercises import KINDS, MAX_SEED, check, generate, list_kinds, problem
from tests.services.oracle import answer

SEEDS = st.integers(0, MAX_SEED)
JAPANESE = re.compile(r"[\u3001-\u303f\u3040-\u30ff\u4e00-\u9fff]")


@pytest.mark.parametrize("kind", sorted(KINDS))
@settings(max_examples=150, deadline=None)
@given(seed=SEEDS)
def test_right_answer_from_the_inputs_alone_is_accepted(kind: str, seed: int) -> None:
    q = generate(kind, seed, "en")
    assert q == generate(kind, seed, "en")  # same seed → same question
    assert "answer" not in q and "solution" not in q
    right = answer(kind, q)
    r = check(kind, seed, right, "en", solution=True)
    assert r["correct"] is True and r["hint"] is None and r["mistake"] is None
    assert r["solution"]["answer"] == right
    fmt = q["answer_format"]
    if fmt["type"] == "choice":
        assert right in fmt["options"] and len(set(fmt["options"])) == len(fmt["options"]) == 3


@pytest.mark.parametrize("kind", sorted(KINDS))
@settings(max_examples=150, deadline=None)
@given(seed=SEEDS)
def test_every_mistake_gets_its_hint_and_differs_from_the_right_answer(kind: str,
                                                                        seed: int) -> None:
    p = problem(kind, seed)
    assert len(set(p.mistakes.values())) == len(p.mistakes)
    for mistake, wrong in p.mistakes.items():
        assert wrong != p.answer
        for lang in ("en", "ja"):
            r = check(kind, seed, p.format.to_json(wrong), lang)
            assert r["correct"] is False
            assert r["mistake"] == mistake.split(":")[0]
            assert r["hint"] and (lang == "en" or JAPANESE.search(r["hint"]))


@pytest.mark.parametrize("kind", sorted(KINDS))
@settings(max_examples=60, deadline=None)
@given(seed=SEEDS)
def test_texts_render_in_both_languages(kind: str, seed: int) -> None:
    en, ja = generate(kind, seed, "en"), generate(kind, seed, "ja")
    assert en["inputs"] == ja["inputs"] and "{" not in en["question"] + ja["question"]
    assert JAPANESE.search(ja["question"]) and not JAPANESE.search(en["question"])
    sol = check(kind, seed, 0 if en["answer_format"]["type"] in ("int", "choice") else
                [0] * len(en["answer_format"].get("names", ())) or
                [[0] * en["answer_format"]["cols"]] * en["answer_format"]["rows"], "ja", True)
    assert sol["correct"] is False and sol["hint"] and JAPANESE.search(sol["solution"]["text"])


def test_kinds_cover_every_section_in_both_languages() -> None:
    en, ja = list_kinds("en"), list_kinds("ja")
    assert [k["id"] for k in en] == [k["id"] for k in ja]
    assert {k["section"] for k in en} == {"7.2.2", "7.2.3", "7.2.4", "7.2.5–7.2.6", "7.2.7",
                                          "7.3", "7.4.2"}
    assert {"output-size", "output-cell", "same-padding", "layer-shape", "max-pool",
            "im2col-shape", "stride-invalid"} <= {k["id"] for k in en}
    assert all(JAPANESE.search(k["title"]) or k["title"].isascii() for k in ja)
