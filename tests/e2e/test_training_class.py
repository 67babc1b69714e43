"""Showing a training run to the class (issue 15): the teacher starts a run in the network view
and sends the screen; a student's page (JA) follows that run's SSE read-only (no pause, stop or
keep) and sees the filters change; the starter stops it and may keep it. One run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.test_classroom import start_and_join
from tests.live_server import LiveServer, live_server

PANEL = "section[data-view=network] [data-role=training]"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    env = {"CONVSCOPE_DATA_DIR": str(tmp_path / "data"), "CONVSCOPE_REDIS_URL": ""}
    with live_server("uvicorn", tmp_path / "server.log", env=env) as srv:
        yield srv


def _tiles(page: object) -> list[str]:
    return page.eval_on_selector_all(  # type: ignore[attr-defined]
        f"{PANEL} [data-role=train-filters] canvas", "cs => cs.map(c => c.toDataURL())")


def test_teacher_sends_a_run_and_a_student_follows_it(browser: object, server: LiveServer,
                                                      shot: Callable[..., Path]) -> None:
    url = server.url
    teacher, student = start_and_join(browser, url, "ja", (390, 844), nickname="はな")

    teacher.locator('[role="tab"][data-tab="network"]').click()
    tpanel = teacher.locator(PANEL)
    tpanel.locator("[data-role=train-steps]").fill("2000")
    tpanel.locator("[data-role=train-batch]").fill("4")
    tpanel.locator("[data-role=train-start]").click()
    teacher.wait_for_selector(f"{PANEL}[data-run]")
    run_id = tpanel.get_attribute("data-run")
    assert f"train-run={run_id}" in teacher.url
    teacher.get_by_role("button", name="Send my screen to the class").click()

    student.wait_for_selector(f'{PANEL}[data-run="{run_id}"]', timeout=30_000)
    spanel = student.locator(PANEL)
    assert spanel.get_attribute("data-readonly") == "true"
    assert spanel.locator("[data-role=train-pause]").is_disabled()
    assert spanel.locator("[data-role=train-stop]").is_disabled()
    student.wait_for_selector(f"{PANEL}[data-state=progress]", timeout=120_000)
    early = _tiles(student)
    assert len(early) == 16
    student.wait_for_function(  # the filters change on the student's page (bounded)
        """([sel, early]) => { const cs = [...document.querySelectorAll(sel)];
             return cs.length === 16 && cs.some((c, i) => c.toDataURL() !== early[i]); }""",
        arg=[f"{PANEL} [data-role=train-filters] canvas", early], timeout=120_000)
    tpanel.locator("[data-role=train-stop]").click()  # the starter's token
    student.wait_for_selector(f"{PANEL}[data-state=stopped]", timeout=60_000)
    assert spanel.locator("[data-role=train-keep]").is_hidden()  # not the starter
    spanel.scroll_into_view_if_needed()
    shot(student, "training-class-student-ja-390")
    teacher.wait_for_selector(f"{PANEL}[data-state=stopped]", timeout=60_000)
    assert tpanel.get_attribute("data-readonly") == "false"
    assert tpanel.locator("[data-role=train-keep]").is_visible()  # the starter may keep it
    assert not student.errors and not teacher.errors  # type: ignore[attr-defined]
