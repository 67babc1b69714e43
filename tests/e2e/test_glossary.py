"""The Japanese locales follow static/locales/glossary.json (issue 11, point 8): one term per
concept. No browser: reads the JSON files only."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

LOCALES = Path(__file__).resolve().parents[2] / "static" / "locales"
GLOSSARY = json.loads((LOCALES / "glossary.json").read_text(encoding="utf-8"))["terms"]


def strings(obj: Any, prefix: str) -> Iterator[tuple[str, str]]:
    """Every string of a locale file as (dotted key, text)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from strings(v, f"{prefix}.{k}")
    elif isinstance(obj, str):
        yield prefix, obj


def locale(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in sorted((LOCALES / lang).glob("*.json")):
        out.update(strings(json.loads(f.read_text(encoding="utf-8")), f.stem))
    return out


JA, EN = locale("ja"), locale("en")


def test_glossary_is_one_term_per_concept() -> None:
    concepts = [t["concept"] for t in GLOSSARY]
    assert len(concepts) == len(set(concepts))
    for t in GLOSSARY:
        assert t["ja"] and isinstance(t["variants"], list)
        for v in t["variants"]:
            assert not re.search(v, t["ja"]), f"{t['concept']}: the term matches its variant {v}"
    for term in ("フィルター", "特徴マップ", "パディング", "ストライド", "プーリング", "バイアス",
                 "チャンネル", "畳み込み"):
        assert term in {t["ja"] for t in GLOSSARY}


def test_locales_have_strings() -> None:
    assert len(JA) > 200 and set(JA) == set(EN)


@pytest.mark.parametrize("term", GLOSSARY, ids=[t["concept"] for t in GLOSSARY])
def test_ja_strings_use_the_glossary_term(term: dict[str, Any]) -> None:
    """No ja string uses a listed variant; where the English says the term, the Japanese does."""
    bad = [f"{k}: {s}" for k, s in JA.items() for v in term["variants"] if re.search(v, s)]
    assert not bad, f"{term['concept']}: use {term['ja']}:\n" + "\n".join(bad)
    if not term.get("en"):
        return
    missing = [f"{k}: {EN[k]!r} → {JA[k]!r}" for k in JA
               if k not in term.get("except", [])
               and re.search(term["en"], EN.get(k, ""), re.IGNORECASE) and term["ja"] not in JA[k]]
    assert not missing, (f"{term['concept']}: the English says it, the Japanese lacks "
                         f"{term['ja']}:\n" + "\n".join(missing))
