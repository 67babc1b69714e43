"""Run the schemathesis CLI with one workaround for a tool-side crash (not a server finding).

On CPython 3.11.7, Hypothesis' lambda description calls `ast.parse` deep inside schemathesis'
recursive generation of the nested-list body schema, and CPython raises `SystemError: AST
constructor recursion depth mismatch` there (a CPython bug, fixed in later 3.11/3.12 releases).
The description only labels strategies for error messages, so it falls back to a placeholder.
"""

from __future__ import annotations

from typing import Any

import hypothesis.internal.lambda_sources as lambda_sources

_describe = lambda_sources._lambda_description


def _safe_description(f: Any, *args: Any, **kwargs: Any) -> str:
    try:
        return _describe(f, *args, **kwargs)
    except (SystemError, RecursionError):
        return "lambda: <unknown>"


lambda_sources._lambda_description = _safe_description

if __name__ == "__main__":
    import schemathesis.cli

    schemathesis.cli.schemathesis()
