"""Pydantic validation errors → (code, field, limit, English message, Japanese message)."""

from __future__ import annotations

from typing import Any

from app.errors import ApiError

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

_JA: dict[str, str] = {
    "missing": "必須の項目がありません: {field}",
    "out_of_range": "{field} が範囲外です（制限: {limit}）",
    "too_many_items": "{field} の要素が多すぎます（上限: {limit}）",
    "too_few_items": "{field} の要素が足りません（下限: {limit}）",
    "too_long": "{field} が長すぎます（上限: {limit}）",
    "not_allowed": "{field} に使えない値です（使える値: {limit}）",
    "invalid_json": "JSON を解析できません: {detail}",
    "unknown_field": "未知の項目です: {field}",
    "invalid": "{field} の値が不正です: {detail}",
}

# pydantic error type → what the value should be, in Japanese (the "invalid" detail).
_JA_DETAIL: dict[str, str] = {
    "int_parsing": "整数で指定してください", "int_type": "整数で指定してください",
    "int_from_float": "整数で指定してください", "float_parsing": "数値で指定してください",
    "float_type": "数値で指定してください", "finite_number": "有限の数値で指定してください",
    "bool_parsing": "true か false で指定してください",
    "bool_type": "true か false で指定してください",
    "string_type": "文字列で指定してください", "list_type": "リスト（配列）で指定してください",
    "dict_type": "オブジェクトで指定してください", "model_type": "オブジェクトで指定してください",
    "model_attributes_type": "オブジェクトで指定してください",
    "union_tag_invalid": "type の値が不正です", "union_tag_not_found": "type を指定してください",
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


def describe_validation_error(errors: list[dict[str, Any]], prefix: str = ""
                              ) -> tuple[str, str | None, int | float | str | None, str, str]:
    """The first error of a pydantic error list as (code, field, limit, message_en, message_ja)."""
    if not errors:
        return "invalid", prefix or None, None, "Invalid request.", "リクエストが不正です。"
    # In a union, a branch of the wrong type says little; prefer an error about the value itself.
    err = next((e for e in errors if not str(e.get("type", "")).endswith("_type")), errors[0])
    code, key = _KINDS.get(str(err.get("type")), ("invalid", None))
    field, limit = field_path(err.get("loc"), prefix), _limit(err, key)
    detail = str(err.get("msg", "invalid value"))
    if code == "invalid_json":
        detail = str((err.get("ctx") or {}).get("error", detail))
    where = field or "request"
    en = f"{where}: {detail}" if code != "invalid_json" else f"Invalid JSON: {detail}"
    if limit is not None and code == "invalid":
        en += f" (limit: {limit})"
    ja_detail = detail if code == "invalid_json" else _JA_DETAIL.get(
        str(err.get("type")), f"値を確認してください（{detail}）")
    ja = _JA[code].format(field=where, limit=limit, detail=ja_detail)
    return code, field, limit, en, ja


def validation_api_error(errors: Any, prefix: str = "") -> ApiError:
    """Pydantic/FastAPI error list → a 422 ApiError describing the first error."""
    code, field, limit, en, ja = describe_validation_error(list(errors), prefix)
    status = 400 if code == "invalid_json" else 422
    return ApiError(status, code, en, ja, field=field, limit=limit)
