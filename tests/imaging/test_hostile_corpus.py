"""The hostile-input corpus (tests/hostile_inputs.py): every case gets its documented 4xx in the
one error shape, or a correct 200; never a 5xx. Time and memory per case are measured by
`make hostile` (loadtest/hostile.py), not asserted here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hostile_inputs import Case, cases

from app.main import app

CASES = {case.id: case for case in cases()}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("case_id", list(CASES))
def test_hostile_case(client: TestClient, case_id: str) -> None:
    case: Case = CASES[case_id]
    r = client.request(**case.kwargs)
    assert r.status_code in case.expect, (case_id, r.status_code, r.text[:300])
    body = r.json()
    if r.status_code >= 400:
        error = body["error"]
        assert error["code"] and error["message"], body
        assert set(error) == {"code", "field", "limit", "message"}
    elif case.check is not None:
        case.check(body)
