"""Schemathesis over the OpenAPI, in process (ASGI): no server error, no schema violation."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, settings
from pydantic import BaseModel
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.main import ROUTERS, create_app

APP = create_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


def test_every_api_operation_is_in_the_schema_and_generated() -> None:
    """Every /api route of the app is an operation schemathesis runs (none hidden or skipped)."""
    routes = {(m, r.path) for module in ROUTERS for r in module.router.routes
              if isinstance(r, APIRoute) and r.path.startswith("/api") for m in r.methods}
    operations = {(op.method.upper(), op.path) for op in
                  (result.ok() for result in schema.get_all_operations())}
    assert routes == operations and len(operations) >= 12
    assert {"positive", "negative"} <= {m.value for m in schema.config.generation.modes}


class _Shape(BaseModel):
    x: int


def _broken_app() -> FastAPI:
    broken = FastAPI()

    @broken.get("/wrong-shape", response_model=_Shape)
    def wrong_shape() -> JSONResponse:
        return JSONResponse({"x": "not an integer"})

    @broken.get("/crash")
    def crash() -> None:
        raise RuntimeError("boom")

    return broken


@pytest.mark.parametrize("path", ["/wrong-shape", "/crash"])
def test_the_checks_catch_a_schema_violation_and_a_server_error(path: str) -> None:
    """The same checks fail on an app that breaks its schema or crashes: the test can fail."""
    broken = schemathesis.openapi.from_asgi("/openapi.json", _broken_app())
    op = next(r.ok() for r in broken.get_all_operations() if r.ok().path == path)
    with pytest.raises(BaseException) as failure:
        op.Case().call_and_validate(checks=CHECKS)
    assert "violates schema" in str(failure.value) or "boom" in str(failure.value)
