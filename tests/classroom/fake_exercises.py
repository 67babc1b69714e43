"""A stand-in of issue 12's exercises API with the same functions (list_kinds, generate, check),
so that the classroom tests do not depend on its kinds: "out-size" asks for OH of an H×H input
through a 3×3 filter, stride 1, no padding: OH = H − 3 + 1 with H = 5 + seed % 10."""

from __future__ import annotations

from typing import Any

HINTS = {"en": "Forgot the +1: OH = (H + 2P − FH) / S + 1.",
         "ja": "+1 を忘れています：OH = (H + 2P − FH) / S + 1。"}


def list_kinds(lang: str = "en") -> list[dict[str, str]]:
    return [{"id": "out-size", "section": "7.2.3", "title": "OH"}]


def problem(kind: str, seed: int) -> int:
    return seed


def solution_of(kind: str, seed: int, lang: str) -> dict[str, Any]:
    return {"answer": _h(seed) - 2, "text": f"OH = ({_h(seed)} − 3) / 1 + 1 = {_h(seed) - 2}"}


def _h(seed: int) -> int:
    return 5 + seed % 10


def generate(kind: str, seed: int, lang: str) -> dict[str, Any]:
    text = {"en": f"H = {_h(seed)}, FH = 3, S = 1, P = 0. OH?",
            "ja": f"H = {_h(seed)}、FH = 3、S = 1、P = 0。OH は？"}[lang]
    return {"kind": kind, "seed": seed, "prompt": text, "answer_type": "int"}


def check(kind: str, seed: int, answer: Any, lang: str, solution: bool = False
          ) -> dict[str, Any]:
    right = _h(seed) - 2
    out: dict[str, Any] = {"correct": answer == right, "hint": None, "mistake": None}
    if answer == right - 1:
        out.update(mistake="forgot_plus_one", hint=HINTS[lang])
    elif answer != right:
        other = {"en": "Check the formula.", "ja": "式を確認しよう。"}
        out.update(mistake="other", hint=other[lang])
    if solution:
        out["solution"] = f"OH = ({_h(seed)} − 3) / 1 + 1 = {right}"
    return out


def right_answer(seed: int) -> int:
    return _h(seed) - 2


def serve(port: int) -> None:
    """uvicorn on 127.0.0.1:port with this module as app.services.exercises (live tests)."""
    import sys

    import uvicorn

    import app.services.exercises as real  # the real package, its functions swapped for these

    me = sys.modules[__name__]
    for name in ("list_kinds", "generate", "check", "problem", "solution_of"):
        setattr(real, name, getattr(me, name))
    uvicorn.run("app.main:app", host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    import sys as _sys

    serve(int(_sys.argv[1]))
