"""Exercises view (issue 12): right / wrong answers with the hint, the solution, progress kept
across a reload (localStorage only), both languages at three viewports, axe."""

from __future__ import annotations

from typing import Any

import pytest

from app.services.exercises import problem

VIEW = "exercises"
ROOT = f'section[data-view="{VIEW}"]'


def open_exercise(page: Any, server_url: str, kind: str, seed: int, lang: str = "en") -> Any:
    page.goto(f"{server_url}/?view={VIEW}&lang={lang}&exercises-kind={kind}&exercises-seed={seed}")
    page.wait_for_selector(f'{ROOT}[data-question="{kind}:{seed}"]', timeout=30000)
    return page.locator(ROOT)


def fill_shape(root: Any, values: list[int]) -> None:
    inputs = root.locator("[data-role=answer] input")
    assert inputs.count() == len(values)
    for i, v in enumerate(values):
        inputs.nth(i).fill(str(v))


def test_right_and_wrong_answers_hint_and_solution(page: Any, server_url: str, shot: Any) -> None:
    p = problem("layer-shape", 17)
    root = open_exercise(page, server_url, "layer-shape", 17)
    assert "FN" in root.locator("[data-role=question]").inner_text()
    fill_shape(root, list(p.mistakes["fn_c_mixed"]))
    root.locator("[data-role=answer] input").last.press("Enter")  # keyboard: Enter submits
    fb = root.locator('[data-role=feedback][data-state="wrong"]')
    fb.wait_for()
    assert "Not quite" in fb.inner_text() and "FN and C are mixed up" in fb.inner_text()
    shot(page, "exercises-wrong-en")
    fill_shape(root, list(p.answer))
    root.locator("[data-role=check]").click()
    root.locator('[data-role=feedback][data-state="right"]').wait_for()
    assert "Right!" in root.locator("[data-role=feedback]").inner_text()
    root.locator("[data-role=solve]").click()
    sol = root.locator("[data-role=solution]")
    sol.wait_for(state="visible")
    assert str(list(p.answer)).replace(" ", "") in sol.inner_text()


def test_max_pool_matrix_and_japanese_hint(page: Any, server_url: str, shot: Any) -> None:
    p = problem("max-pool", 4)
    root = open_exercise(page, server_url, "max-pool", 4, "ja")
    fill_shape(root, list(p.mistakes["sum_not_max"]))
    root.locator("[data-role=check]").click()
    fb = root.locator('[data-role=feedback][data-state="wrong"]')
    fb.wait_for()
    assert "Maxプーリング" in fb.inner_text() and "足しています" in fb.inner_text()
    shot(page, "exercises-wrong-ja", full_page=True)


def test_choice_by_keyboard_and_empty_answer(page: Any, server_url: str) -> None:
    p = problem("stride-invalid", 3)
    root = open_exercise(page, server_url, "stride-invalid", 3)
    root.locator("[data-role=check]").click()
    assert "Fill in every box" in root.locator("[data-role=feedback]").inner_text()
    root.locator(f'input[type=radio][value="{p.answer[0]}"]').check()
    root.locator("[data-role=check]").focus()
    page.keyboard.press("Enter")
    root.locator('[data-role=feedback][data-state="right"]').wait_for()


def test_progress_is_kept_across_a_reload(page: Any, server_url: str) -> None:
    p = problem("same-padding", 8)
    root = open_exercise(page, server_url, "same-padding", 8)
    root.locator("[data-role=reset]").click()
    fill_shape(root, [p.answer[0]])
    root.locator("[data-role=check]").click()
    root.locator('[data-role=feedback][data-state="right"]').wait_for()
    count = root.locator('[data-count="7.2.3"]')
    assert count.inner_text() == "1 right / 1 tried"
    page.reload()
    page.wait_for_selector(f'{ROOT}[data-question="same-padding:8"]')
    assert page.locator(ROOT).locator('[data-count="7.2.3"]').inner_text() == "1 right / 1 tried"
    stored = page.evaluate("localStorage.getItem('convscope.exercises.v1')")
    assert '"same-padding:8":"7.2.3"' in stored


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("size", [(1024, 768), (1280, 720), (390, 844)])
def test_layouts(browser: Any, server_url: str, shot: Any, lang: str,
                 size: tuple[int, int]) -> None:
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = ctx.new_page()
    try:
        root = open_exercise(page, server_url, "output-cell", 2, lang)
        assert root.locator(".ex-grid").count() == 2
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size[0], "no horizontal scrolling"
        shot(page, f"exercises-{lang}-{size[0]}x{size[1]}", full_page=True)
    finally:
        ctx.close()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_axe_on_the_view(browser: Any, server_url: str, axe: Any, lang: str) -> None:
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
    page = ctx.new_page()
    try:
        root = open_exercise(page, server_url, "max-pool", 1, lang)
        root.locator("[data-role=check]").click()   # the feedback shown, too
        root.locator("details.ex-teacher summary").click()
        violations = [v for v in axe(page, ROOT) if v["impact"] in ("moderate", "serious",
                                                                     "critical")]
        assert not violations, violations
    finally:
        ctx.close()


def test_worksheet_link_opens_the_same_questions(page: Any, server_url: str) -> None:
    from app.services.exercises.worksheet import items

    sheet = items(["7.2.4", "7.3"], 3, 5)
    page.goto(f"{server_url}/worksheet?sections=7.2.4&sections=7.3&count=3&seed=5&lang=ja")
    link = page.locator(".ws-qr a").get_attribute("href")
    page.goto(link)
    kind, seed = sheet[0]
    page.wait_for_selector(f'{ROOT}[data-question="{kind}:{seed}"]', timeout=30000)
    root = page.locator(ROOT)
    assert root.locator("[data-role=sheetpos]").inner_text() == "ワークシート 3 問中 1 問目"
    root.locator("[data-role=nextq]").click()
    kind, seed = sheet[1]
    page.wait_for_selector(f'{ROOT}[data-question="{kind}:{seed}"]')
    assert "2 問目" in root.locator("[data-role=sheetpos]").inner_text()
