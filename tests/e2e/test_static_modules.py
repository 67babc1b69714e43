"""static/js without a browser: every import resolves to a file exporting the names, lib/ never
imports a view, a view never imports another view, every module is reached from main.js or a
view's index.js, and the helpers the toolkit keeps once are defined once."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "static" / "js"
IMPORT = re.compile(r'import\s*(?:\{([^}]*)\}|\*\s+as\s+\w+)\s*from\s*"([^"]+)"')
EXPORT = re.compile(r"export\s+(?:async\s+)?(?:function|const|let|class)\s+(\w+)")


def _modules() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in sorted(JS.rglob("*.js"))}


def _imports(path: Path, text: str) -> list[tuple[Path, list[str]]]:
    out = []
    for names, spec in IMPORT.findall(text):
        target = (path.parent / spec).resolve()
        wanted = [n.split(" as ")[0].strip() for n in names.split(",") if n.strip()]
        out.append((target, wanted))
    return out


def test_every_import_names_an_existing_export() -> None:
    mods = _modules()
    exports = {p.resolve(): set(EXPORT.findall(t)) for p, t in mods.items()}
    problems = []
    for path, text in mods.items():
        for target, names in _imports(path, text):
            if "vendor" in target.parts:
                assert target.is_file(), (path, target)
                continue
            if target not in exports:
                problems.append(f"{path.relative_to(JS)}: no module {target}")
                continue
            problems += [f"{path.relative_to(JS)}: {n} not exported by {target.relative_to(JS)}"
                         for n in names if n not in exports[target]]
    assert problems == []


def test_layers_lib_below_views_and_views_apart() -> None:
    for path, text in _modules().items():
        rel = path.relative_to(JS)
        for target, _ in _imports(path, text):
            if "vendor" in target.parts:
                continue
            dest = target.relative_to(JS.resolve())
            if rel.parts[0] == "lib":
                assert dest.parts[0] == "lib", (rel, dest)          # lib never imports a view
            if rel.parts[0] == "views":
                assert dest.parts[0] == "lib" or dest.parts[1] == rel.parts[1], (rel, dest)


def test_every_module_is_reachable_and_each_view_has_its_folder() -> None:
    mods = {p.resolve(): t for p, t in _modules().items()}
    views = sorted(p.stem for p in (ROOT / "templates" / "views").glob("*.html"))
    roots = [JS.resolve() / "main.js", *(JS.resolve() / "views" / v / "index.js" for v in views)]
    assert all(r in mods for r in roots), roots     # main.js imports views/<id>/index.js by name
    seen, todo = set(), list(roots)
    while todo:
        path = todo.pop()
        if path in seen or path not in mods:
            continue
        seen.add(path)
        todo += [t for t, _ in _imports(path, mods[path])]
    assert set(mods) - seen == set()


def test_shared_helpers_are_defined_once() -> None:
    mods = _modules()
    text = "\n".join(mods.values())
    for name in ("el", "fixed", "compact", "drawMap", "drawRgb", "debounce", "request", "cellAt"):
        defs = re.findall(rf"(?:function\s+{name}\s*\(|const\s+{name}\s*=)", text)
        assert len(defs) == 1, (name, len(defs))
    # One way to the network: the API client, and the locale loader for static JSON.
    fetching = {str(p.relative_to(JS)) for p, t in mods.items() if re.search(r"await fetch\(", t)}
    assert fetching == {"lib/api.js", "lib/i18n.js"}
    assert not (JS / "context.js").exists() and not (JS / "views" / "lib").exists()
