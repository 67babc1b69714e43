"""Pydantic models of /api/exercises: static limits (seed range, answer sizes) in Field(...).

An answer is one integer, a list of integers (a shape, [OH, OW]), a list of rows (a pooled map)
or {"oh", "ow"}; integers are strict ("3", 3.0 and true are refused) and within ±1,000,000."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_SEED = 2**31 - 1
MAX_ANSWER_VALUE = 1_000_000
MAX_ANSWER_LEN = 8
"""Items of an answer list (and rows of a matrix answer); the longest answer has 4."""

AnswerInt = Annotated[int, Field(strict=True, ge=-MAX_ANSWER_VALUE, le=MAX_ANSWER_VALUE)]
AnswerList = Annotated[list[AnswerInt], Field(min_length=1, max_length=MAX_ANSWER_LEN)]
AnswerRows = Annotated[list[AnswerList], Field(min_length=1, max_length=MAX_ANSWER_LEN)]
Seed = Annotated[int, Field(strict=True, ge=0, le=MAX_SEED,
                            description="0 … 2³¹−1; the same seed gives the same question.")]
Lang = Literal["en", "ja"]


class OhOw(BaseModel):
    """An output size as {"oh": OH, "ow": OW}."""

    model_config = ConfigDict(extra="forbid")
    oh: AnswerInt
    ow: AnswerInt


class CheckRequest(BaseModel):
    """Body of POST /api/exercises/{kind}/check."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"seed": 7, "answer": [3, 3]}, {"seed": 7, "answer": {"oh": 3, "ow": 3},
                                                     "solution": True}]})
    seed: Seed
    answer: AnswerInt | AnswerList | AnswerRows | OhOw = Field(
        description="An integer; a list of ≤ 8 integers (a shape, [OH, OW]); ≤ 8 rows of ≤ 8 "
                    "integers (a pooled map); or {\"oh\", \"ow\"}. |value| ≤ 1,000,000.")
    solution: bool = Field(False, strict=True, description="Also return the worked solution.")


class KindOut(BaseModel):
    id: str = Field(description="What the exercise asks, e.g. output-size.")
    section: str = Field(description="The book's section, e.g. 7.2.4.")
    title: str
    section_title: str = Field(description="The section's number and name.")


class KindsOut(BaseModel):
    kinds: list[KindOut]


class ExerciseOut(BaseModel):
    """A question without its answer."""

    kind: str
    section: str
    seed: int
    lang: Lang
    title: str
    question: str
    inputs: dict[str, Any] = Field(description="The book's names: H, W, FH, FW, pad, stride, C, "
                                               "FN, N; x, filter, b, cell for a cell exercise.")
    answer_format: dict[str, Any] = Field(description="type int | choice | pair | shape | "
                                                      "matrix, with names / options / rows, cols.")


class SolutionOut(BaseModel):
    answer: Any
    text: str


class CheckOut(BaseModel):
    correct: bool
    hint: str | None = Field(description="For a wrong answer: what the common mistake it "
                                         "matches was, or how to compute it.")
    mistake: str | None = Field(description="The recognised mistake, e.g. forgot_plus_one.")
    solution: SolutionOut | None = None


class WorksheetItem(BaseModel):
    kind: str
    seed: int


class WorksheetOut(BaseModel):
    """GET /api/worksheet: the questions of a worksheet, in order."""

    items: list[WorksheetItem]
