"""The import graph of app/ from the source (ast): every `import` anywhere in a module, function
level included. `python scripts/import_graph.py` prints the deepest import chain from app.main
and any cycle; tests/test_architecture.py asserts on the same graph."""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of app/ by dotted name."""
    return {module_name(p): p for p in sorted(APP.rglob("*.py"))}


def _resolve(node: ast.ImportFrom, current: str, is_pkg: bool) -> str:
    if not node.level:
        return node.module or ""
    base = current.split(".") if is_pkg else current.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(name: str) -> dict[str, set[str]]:
    """{imported module (app's own or external top-level name): {how}} for one module."""
    path = modules()[name]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, name, path.name == "__init__.py")
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules() else base
                       for a in node.names]
        for t in targets:
            out.setdefault(t, set()).add(f"line {node.lineno}")
    return out


def app_graph() -> dict[str, set[str]]:
    """module → the app modules it imports (a package's own __init__ implied, not counted)."""
    graph: dict[str, set[str]] = {}
    for name in modules():
        deps = set()
        for target in imports_of(name):
            while target and target not in modules():
                target = target.rpartition(".")[0]
            if target and target != name and target != "app":
                deps.add(target)
        graph[name] = deps
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for d in sorted(graph.get(n, ())):
            if state.get(d) == 1:
                return stack[stack.index(d):] + [d]
            if d not in state and (c := visit(d)):
                return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state and (c := visit(n)):
            return c
    return None


def collapse_engine(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The graph with app.engine.* counted as one module (the engine's inside is its own)."""
    out = {a: {"app.engine" if b.startswith("app.engine") else b for b in deps}
           for a, deps in graph.items() if not a.startswith("app.engine.")}
    out["app.engine"] = set()
    return out


def deepest_chain(graph: dict[str, set[str]], start: str = "app.main") -> list[str]:
    """The longest import chain from `start` (graph must be acyclic)."""
    memo: dict[str, list[str]] = {}

    def longest(n: str) -> list[str]:
        if n not in memo:
            memo[n] = [n]
            best = max((longest(d) for d in graph.get(n, ())), key=len, default=[])
            memo[n] = [n, *best]
        return memo[n]

    return longest(start)


if __name__ == "__main__":
    g = app_graph()
    cycle = find_cycle(g)
    print(f"{len(g)} modules; cycle: {' -> '.join(cycle) if cycle else 'none'}")
    if cycle:  # break it at its last edge to still report a depth
        g[cycle[-2]].discard(cycle[-1])
    chain = deepest_chain(g)
    print(f"import depth from app.main: {len(chain)} levels: {' -> '.join(chain)}")
    chain = deepest_chain(collapse_engine(g))
    print(f"  engine as one module: {len(chain)} levels: {' -> '.join(chain)}")
    sys.exit(1 if cycle else 0)
