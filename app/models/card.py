"""Write a model in the models-folder layout: <id>.npz (weights), <id>.json (card), <id>.png."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from app.engine.network import Network


def model_paths(out: str | Path) -> tuple[str, Path, Path, Path]:
    """(id, npz, json, png) for an --out path; the id is the file stem."""
    p = Path(out)
    if p.suffix != ".npz":
        p = p.with_name(p.name + ".npz")
    return p.stem, p, p.with_suffix(".json"), p.with_suffix(".png")


def write_model(net: Network, out: str | Path, card: dict[str, Any]) -> dict[str, Any]:
    """Save net as <id>.npz and its card as <id>.json (the card facts also go in net.meta).
    Returns the full card: id, name, architecture and the given facts, plus created (UTC)."""
    model_id, npz, card_path, _ = model_paths(out)
    npz.parent.mkdir(parents=True, exist_ok=True)
    net.id = model_id
    full = {"id": model_id, "name": net.name, **card,
            "architecture": net.architecture()["layers"], "input_shape": list(net.input_shape),
            "parameters": net.param_count(),
            "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    net.meta = {k: v for k, v in full.items() if k != "architecture"}
    net.save(npz)
    card_path.write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return full
