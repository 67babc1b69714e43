"""The error catalogue (app/errors_catalogue.json): every code has a status and both languages,
every code (and variant) raised in app/ exists, every template renders with the parameters its
raise sites pass, and no Python module of app/ carries Japanese text."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from app.errors import ApiError, Text, catalogue, note_text

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
ERRORS = catalogue()["errors"]
RAISERS = {"ApiError", "ImageError", "refusal"}
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _templates(entry: dict) -> list[tuple[str | None, dict]]:
    return [(None, entry)] + list(entry.get("variants", {}).items())


def _fields(template: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template)
            if name}


def _raise_sites() -> list[tuple[str, int, str, str | None, set[str] | None]]:
    """(file, line, code, variant, keyword names or None when **params are forwarded)."""
    sites = []
    for path in sorted(APP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in RAISERS and node.args):
                continue
            code = node.args[0]
            if not (isinstance(code, ast.Constant) and isinstance(code.value, str)):
                continue
            kw = {k.arg: k.value for k in node.keywords}
            variant = kw.get("variant")
            variants: list[str | None] = [None]
            if isinstance(variant, ast.Constant):
                variants = [variant.value]
            elif isinstance(variant, ast.IfExp):  # variant="a" if cond else None / "b"
                variants = [v.value for v in (variant.body, variant.orelse)
                            if isinstance(v, ast.Constant)]
            names = None if None in kw else {k for k in kw if k is not None}
            rel = str(path.relative_to(ROOT))
            sites += [(rel, node.lineno, code.value, v, names) for v in variants]
    return sites


SITES = _raise_sites()


@pytest.mark.parametrize("code", sorted(ERRORS))
def test_every_code_has_a_status_and_both_languages(code: str) -> None:
    entry = ERRORS[code]
    assert entry["status"] is None and code == "http_error" or 400 <= entry["status"] <= 599
    for _, t in _templates(entry):
        assert t["en"].strip() and t["ja"].strip()
        assert JAPANESE.search(t["ja"]) or t["ja"] == t["en"] == "{detail}"
        assert not JAPANESE.search(t["en"])


def test_raise_sites_are_found() -> None:
    assert len(SITES) >= 45 and len({s[2] for s in SITES}) >= 35


@pytest.mark.parametrize(("where", "line", "code", "variant", "names"), SITES,
                         ids=[f"{s[0]}:{s[1]}:{s[2]}" for s in SITES])
def test_every_raised_code_exists_and_renders(where: str, line: int, code: str,
                                              variant: str | None, names: set[str] | None) -> None:
    assert code in ERRORS, f"{where}:{line} raises unknown code {code!r}"
    entry = ERRORS[code] if variant is None else ERRORS[code]["variants"][variant]
    if names is None:
        return  # parameters forwarded with **params: checked by the sites that build them
    given = names | {"field", "limit"}
    for lang in ("en", "ja"):
        missing = _fields(entry[lang]) - given
        assert not missing, f"{where}:{line} {code}/{variant} ({lang}) lacks {missing}"


def test_codes_raised_through_tables_exist() -> None:
    from app.api.errors import _HTTP_CODES
    from app.api.validation import _KINDS

    assert set(_HTTP_CODES.values()) | {c for c, _ in _KINDS.values()} <= set(ERRORS)


def test_every_catalogue_code_is_used() -> None:
    from app.api.errors import _HTTP_CODES
    from app.api.validation import _KINDS
    from app.imaging.budget import _TOO_MANY

    used = {s[2] for s in SITES} | set(_HTTP_CODES.values()) | {c for c, _ in _KINDS.values()} \
        | set(_TOO_MANY.values())
    assert set(ERRORS) - used == set()


def test_messages_render_with_their_params() -> None:
    e = ApiError("kernel_too_large", field="spec.kernel", limit=31, fh=33, fw=35)
    assert e.status == 422 and e.code == "kernel_too_large" and e.field == "spec.kernel"
    assert e.message_en == "The kernel is 33×35; at most 31×31."
    assert e.message_ja == "カーネルが 33×35 です。上限は 31×31 です。"
    v = ApiError("kernel_too_large", variant="values", field="spec.kernel", limit=1_048_576,
                 count=2_000_000)
    assert v.message_en == "The kernel has 2,000,000 values (FN·C·FH·FW); at most 1,048,576."
    t = ApiError("invalid", field="spec.pad", where="spec.pad",
                 detail=Text("Input should be a valid integer", "整数で指定してください"))
    assert t.message_en == "spec.pad: Input should be a valid integer"
    assert t.message_ja == "spec.pad の値が不正です: 整数で指定してください"
    assert ApiError("unknown_model", variant="spec", model_id="x", limit="a").status == 422
    assert ApiError("http_error", status=418, detail="teapot").status == 418
    assert note_text("resized", w0=640, h0=480, w=320, h=240) == (
        "Resized from 640×480 to 320×240.", "640×480 から 320×240 に縮小しました。")
    with pytest.raises(KeyError):
        ApiError("no_such_code")


def _japanese_lines(path: Path) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{i}" for i, line in
            enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if JAPANESE.search(line)]


PY_FILES = sorted(APP.rglob("*.py"))  # the kernel catalogue's texts are in engine/kernels.json


@pytest.mark.parametrize("path", PY_FILES, ids=lambda p: str(p.relative_to(APP)))
def test_no_japanese_in_python_modules(path: Path) -> None:
    assert _japanese_lines(path) == []
