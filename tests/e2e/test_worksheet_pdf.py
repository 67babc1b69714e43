"""Printable worksheets printed to PDF by Chromium (page.pdf, A4), rendered with pdftoppm and
read back with pdftotext: pages, the questions' text and the key's answers, both languages.
PNGs are saved under artifacts/screenshots/ to be looked at."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.services.exercises import generate
from app.services.exercises.worksheet import items

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "artifacts" / "screenshots"


def _pdf(page: Any, url: str, name: str) -> tuple[int, str]:
    page.goto(url)
    pdf = OUT / f"{name}.pdf"
    OUT.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(pdf), format="A4", print_background=False, prefer_css_page_size=True)
    for old in OUT.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(OUT / name)], check=True,
                   timeout=60)
    pages = len(list(OUT.glob(f"{name}-*.png")))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, timeout=60,
                          capture_output=True, text=True).stdout
    return pages, text


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_worksheet_and_key_print_to_a4_pdf(page: Any, server_url: str, lang: str) -> None:
    if not shutil.which("pdftoppm"):
        pytest.fail("pdftoppm missing: run scripts/ensure-poppler.sh (make test does)")
    query = f"sections=7.2.2&sections=7.2.4&sections=7.3&count=10&seed=12&lang={lang}"
    pages, text = _pdf(page, f"{server_url}/worksheet?{query}", f"worksheet-{lang}")
    key_pages, key_text = _pdf(page, f"{server_url}/worksheet/key?{query}",
                               f"worksheet-key-{lang}")
    assert 2 <= pages <= 4 and 2 <= key_pages <= 5
    flat, key_flat = " ".join(text.split()), " ".join(key_text.split())
    title = "ワークシート" if lang == "ja" else "worksheet"
    assert title in flat and title in key_flat
    for kind, seed in items(["7.2.2", "7.2.4", "7.3"], 10, 12):
        q = generate(kind, seed, lang)
        assert str(seed) in flat and q["title"] in flat
    assert ("答え" if lang == "ja" else "Answer") in key_flat
