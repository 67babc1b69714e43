"""Size is a feature: no module a newcomer opens is past the size that asks to be split (about
300 lines for Python, where the largest is the capacity middleware; 400 for a view's JavaScript,
where mount() wires a whole tab). Route handlers stay short: none past 15 lines."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY_MAX = 320
JS_MAX = 400
HANDLER_MAX = 15


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_python_module_past_the_budget() -> None:
    sizes = {str(p.relative_to(ROOT)): _lines(p) for p in (ROOT / "app").rglob("*.py")}
    assert len(sizes) > 50
    assert {p: n for p, n in sizes.items() if n > PY_MAX} == {}


def test_no_javascript_module_past_the_budget() -> None:
    sizes = {str(p.relative_to(ROOT)): _lines(p) for p in (ROOT / "static" / "js").rglob("*.js")}
    assert len(sizes) > 50
    assert {p: n for p, n in sizes.items() if n > JS_MAX} == {}


def _handlers(path: Path) -> dict[str, int]:
    """Functions decorated with @router.<method>(...) → their body's lines (signature and
    docstring out)."""
    out = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
                and d.func.attr in {"get", "post", "put", "delete", "patch"}
                for d in node.decorator_list):
            body = node.body[1:] if ast.get_docstring(node) else node.body
            first = body[0].lineno if body else node.lineno
            out[f"{path.name}:{node.name}"] = (node.end_lineno or first) - first + 1
    return out


def test_route_handlers_are_short() -> None:
    handlers: dict[str, int] = {}
    for path in (ROOT / "app" / "api" / "routes").rglob("*.py"):
        handlers |= _handlers(path)
    assert len(handlers) > 20
    assert {h: n for h, n in handlers.items() if n > HANDLER_MAX} == {}
