"""Pydantic validation errors → the catalogue's ApiError (code, dotted field, limit, en/ja)."""

from __future__ import annotations

from typing import Any

from app.errors import ApiError, Text, validation_detail_ja

_SOURCES = {"body", "query", "path", "header", "cookie"}
_TYPE_TAGS = {"str", "int", "float", "bool", "list", "dict", "none", "json-or-python"}

# pydantic error type → (our code, ctx key holding the limit)
_KINDS: dict[str, tuple[str, str | None]] = {
    "missing": ("missing", None),
    "less_than_equal": ("out_of_range", "le"),
    "greater_than_equal": ("out_of_range", "ge"),
    "less_than": ("out_of_range", "lt"),
    "greater_than": ("out_of_range", "gt"),
    "too_long": ("too_many_items", "max_length"),
    "too_short": ("too_few_items", "min_length"),
    "string_too_long": ("too_long", "max_length"),
    "literal_error": ("not_allowed", "expected"),
    "enum": ("not_allowed", "expected"),
    "json_invalid": ("invalid_json", None),
    "extra_forbidden": ("unknown_field", None),
}

def field_path(loc: Any, prefix: str = "") -> str | None:
    """("body", "spec", "kernel", "list[...]", 0) → "spec.kernel.0" (union branch tags dropped)."""
    parts: list[str] = [prefix] if prefix else []
    for i, item in enumerate(loc or ()):
        s = str(item)
        if i == 0 and s in _SOURCES:
            continue
        if isinstance(item, str) and ("[" in s or "-" in s or s in _TYPE_TAGS or s[:1].isupper()):
            continue
        parts.append(s)
    return ".".join(parts) or None


def _limit(err: dict[str, Any], key: str | None) -> int | float | str | None:
    value = (err.get("ctx") or {}).get(key) if key else None
    if value is None or isinstance(value, (int, float, str)) and not isinstance(value, bool):
        return value
    return str(value)


def validation_api_error(errors: Any, prefix: str = "") -> ApiError:
    """The first error of a pydantic error list as the catalogue's ApiError (400 invalid_json,
    else 422): code, dotted field, limit; pydantic's English detail, a Japanese one by type."""
    errors = list(errors)
    if not errors:
        return ApiError("invalid", variant="empty", field=prefix or None)
    # In a union, a branch of the wrong type says little; prefer an error about the value itself.
    err = next((e for e in errors if not str(e.get("type", "")).endswith("_type")), errors[0])
    code, key = _KINDS.get(str(err.get("type")), ("invalid", None))
    field, limit = field_path(err.get("loc"), prefix), _limit(err, key)
    detail = str(err.get("msg", "invalid value"))
    if code == "invalid_json":
        detail = str((err.get("ctx") or {}).get("error", detail))
        text = Text(detail, detail)
    else:
        text = Text(detail, validation_detail_ja(str(err.get("type")), detail))
    variant = "limited" if limit is not None and code == "invalid" else None
    return ApiError(code, variant=variant, field=field, limit=limit, where=field or "request",
                    detail=text)
