"""Answer formats, refusals at their limits, the book's im2col example and the worksheet."""

from __future__ import annotations

import pytest

from app.errors import ApiError
from app.services.exercises import MAX_ANSWER_VALUE, MAX_SEED, check, generate, problem
from app.services.exercises.shapes import im2col_problem
from app.services.exercises.worksheet import MAX_COUNT, items, worksheet


def _seed_with(kind: str, pred) -> int:
    return next(s for s in range(500) if pred(problem(kind, s)))


def test_the_books_im2col_example() -> None:
    p = im2col_problem(10, 3, 7, 7, 5, 5, 1, 0)  # the book, 7.4.2: (90, 75)
    assert p.answer == (90, 75)
    assert p.mistakes["transposed"] == (75, 90) and p.mistakes["forgot_n"] == (9, 75)
    assert p.mistakes["forgot_c"] == (90, 25)


def test_output_size_answer_forms() -> None:
    seed = _seed_with("output-size", lambda p: p.answer[0] != p.answer[1])
    oh, ow = problem("output-size", seed).answer
    for form in ([oh, ow], {"oh": oh, "ow": ow}):
        assert check("output-size", seed, form)["correct"] is True
    r = check("output-size", seed, oh)  # OH alone, but OW differs
    assert r == {"correct": False, "hint": r["hint"], "mistake": "give_both"} and "OW" in r["hint"]
    square = _seed_with("output-size", lambda p: p.answer[0] == p.answer[1])
    assert check("output-size", square, problem("output-size", square).answer[0])["correct"]


@pytest.mark.parametrize("bad", ["3", 3.0, True, None, [1], [1, 2, 3], [[1, 2]], {"oh": 1},
                                 {"oh": 1, "ow": "2"}, {"oh": 1, "ow": 2, "x": 3}])
def test_badly_shaped_answers_are_refused(bad) -> None:
    with pytest.raises(ApiError) as e:
        check("output-size", 1, bad)
    assert e.value.code == "exercise_answer_invalid" and e.value.status == 422


def test_answer_value_limit() -> None:
    assert check("same-padding", 1, MAX_ANSWER_VALUE)["correct"] is False
    with pytest.raises(ApiError) as e:
        check("same-padding", 1, MAX_ANSWER_VALUE + 1)
    assert e.value.code == "exercise_answer_too_large" and e.value.limit == MAX_ANSWER_VALUE
    with pytest.raises(ApiError):
        check("max-pool", 1, [[1, 2], [3, -MAX_ANSWER_VALUE - 1]])


def test_seed_limits_and_unknown_kind() -> None:
    assert generate("max-pool", MAX_SEED)["seed"] == MAX_SEED
    assert generate("max-pool", 0)["seed"] == 0
    for bad in (MAX_SEED + 1, -1):
        with pytest.raises(ApiError) as e:
            generate("max-pool", bad)
        assert e.value.code == "exercise_seed_invalid"
    with pytest.raises(ApiError) as e:
        generate("no-such-kind", 1)
    assert e.value.code == "exercise_unknown" and e.value.status == 404
    with pytest.raises(ApiError) as e:
        list_kinds_fr()
    assert e.value.code == "exercise_lang_invalid"


def list_kinds_fr() -> None:
    from app.services.exercises import list_kinds
    list_kinds("fr")


def test_a_wrong_answer_no_mistake_explains_gets_the_kinds_hint() -> None:
    p = problem("same-padding", 3)
    wrong = next(v for v in range(50, 60) if (v,) not in p.mistakes.values())
    r = check("same-padding", 3, wrong, "en", solution=True)
    assert r["correct"] is False and r["mistake"] is None and "solve for P" in r["hint"]
    assert r["solution"]["answer"] == p.answer[0]


def test_worksheet_is_reproducible_and_follows_the_sections() -> None:
    a = worksheet(["7.3", "7.4.2"], 6, 42, "en", key=True)
    assert a == worksheet(["7.3", "7.4.2"], 6, 42, "en", key=True)
    assert [q["kind"] for q in a["questions"]] == ["max-pool", "im2col-shape"] * 3
    for q in a["questions"]:
        assert check(q["kind"], q["seed"], q["solution"]["answer"])["correct"]
    assert len(items(["7.2.2"], MAX_COUNT, MAX_SEED)) == MAX_COUNT
    with pytest.raises(ApiError) as e:
        items(["9.9"], 3, 1)
    assert e.value.code == "worksheet_section_unknown" and e.value.field == "sections"
