"""Write a model in the models-folder layout: <id>.npz (weights), <id>.json (card), <id>.png.

Each file is written to a temporary sibling and renamed into place, so a full disk (ENOSPC) or
any other write error leaves no half-written model behind and raises ``ModelWriteError`` with a
one-line reason (the CLI prints it and exits 1).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.engine.network import Network


def model_paths(out: str | Path) -> tuple[str, Path, Path, Path]:
    """(id, npz, json, png) for an --out path; the id is the file stem."""
    p = Path(out)
    if p.suffix != ".npz":
        p = p.with_name(p.name + ".npz")
    return p.stem, p, p.with_suffix(".json"), p.with_suffix(".png")


class ModelWriteError(OSError):
    """A model file could not be written (disk full, no permission, ...)."""


def _atomic(path: Path, write: Callable[[str], object]) -> None:
    """write(tmp) into a temporary file beside path (default permissions), then rename it
    over path."""
    tmp = str(path.with_name(f".{path.name}.{os.getpid()}.tmp"))
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ModelWriteError(e.errno, f"cannot write {path}: {e.strerror or e}") from None


def write_model(net: Network, out: str | Path, card: dict[str, Any]) -> dict[str, Any]:
    """Save net as <id>.npz and its card as <id>.json (the card facts also go in net.meta).
    Returns the full card: id, name, architecture and the given facts, plus created (UTC)."""
    model_id, npz, card_path, _ = model_paths(out)
    try:
        npz.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ModelWriteError(e.errno, f"cannot create {npz.parent}: {e.strerror or e}") from None
    net.id = model_id
    full = {"id": model_id, "name": net.name, **card,
            "architecture": net.architecture()["layers"], "input_shape": list(net.input_shape),
            "parameters": net.param_count(),
            "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    net.meta = {k: v for k, v in full.items() if k != "architecture"}
    text = json.dumps(full, indent=2, ensure_ascii=False) + "\n"
    _atomic(npz, net.save)
    _atomic(card_path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return full
