"""The layers of app/ as the imports show them (ast, function-level imports included): no cycle,
every import points down, HTTP frameworks only in the API layer, Pillow only in app/imaging."""

from __future__ import annotations

import pytest

from scripts.import_graph import (
    app_graph,
    collapse_engine,
    deepest_chain,
    find_cycle,
    imports_of,
    modules,
)

# Higher imports lower (or its own layer); never the other way.
LAYERS: dict[str, int] = {
    "app.main": 7,
    "app.cli": 6, "app.gunicorn_conf": 6,
    "app.api": 5, "app.deps": 5,
    "app.services": 4,
    "app.imaging": 3, "app.models": 3,
    "app.schemas": 2,
    "app.engine": 1,
    "app.errors": 0, "app.config": 0, "app": 0,
}
HTTP_ALLOWED = ("app.api", "app.main", "app.deps")
PIL_ALLOWED = ("app.imaging",)


def _layer(module: str) -> str:
    return max((k for k in LAYERS if module == k or module.startswith(k + ".")), key=len)


def _inside(module: str, roots: tuple[str, ...]) -> bool:
    return any(module == r or module.startswith(r + ".") for r in roots)


def test_every_module_has_a_layer() -> None:
    assert all(_layer(m) for m in modules())


def test_no_import_cycle() -> None:
    assert find_cycle(app_graph()) is None


def test_imports_point_down() -> None:
    wrong = [f"{a} ({_layer(a)}) imports {b} ({_layer(b)})" for a, deps in app_graph().items()
             for b in deps if LAYERS[_layer(a)] < LAYERS[_layer(b)]]
    assert wrong == []


def test_routes_do_not_import_each_other() -> None:
    routes = [m for m in modules() if m.startswith("app.api.routes.")]
    wrong = [(a, b) for a in routes for b in app_graph()[a] if b.startswith("app.api.routes.")]
    assert wrong == []


@pytest.mark.parametrize(("package", "allowed"), [
    ("fastapi", HTTP_ALLOWED), ("starlette", HTTP_ALLOWED), ("PIL", PIL_ALLOWED)])
def test_third_party_imports_stay_in_their_layer(package: str, allowed: tuple[str, ...]) -> None:
    wrong = [f"{m}: {t}" for m in modules() if not _inside(m, allowed)
             for t in imports_of(m) if t == package or t.startswith(package + ".")]
    assert wrong == []


def test_import_depth_is_printed() -> None:
    """The deepest chain from app.main (the engine counted as one layer) stays short."""
    chain = deepest_chain(collapse_engine(app_graph()))
    print(f"import depth from app.main: {len(chain)} ({' -> '.join(chain)})")
    assert len(chain) <= 8
