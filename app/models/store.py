"""The learned models the server offers, loaded once at startup (see app.main's lifespan).

Sources, in order (a later one with the same id replaces an earlier one, with a log line):
the shipped `app/models/shipped/*.npz`, then every `*.npz` in `settings.models_dir`
(`CONVSCOPE_MODELS_DIR`). Per model: `<id>.npz` (weights, `Network.load`), optional `<id>.json`
(model card) and `<id>.png` (learning curve). The id is the file stem. A missing, unreadable or
corrupt file is logged and skipped; it never stops the server from starting.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.engine.network import Network, NetworkError
from app.errors import ApiError

log = logging.getLogger("convscope.models")

SHIPPED_DIR = Path(__file__).resolve().parent / "shipped"


@dataclass(frozen=True)
class ModelEntry:
    """One loaded model: the network, its card (JSON facts) and where it came from."""

    id: str
    network: Network
    source: Path
    card: dict[str, Any] = field(default_factory=dict)
    curve: Path | None = None

    @property
    def name(self) -> str:
        return str(self.card.get("name") or self.network.name)

    @property
    def accuracy(self) -> float | None:
        """Validation accuracy in [0, 1] from the card (or the npz meta), None if unknown."""
        for facts in (self.card, self.network.meta):
            value = facts.get("validation_accuracy")
            if isinstance(value, (int, float)):
                return float(value)
        return None


def _read_card(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        log.warning("model card %s unreadable (%s); serving the model without it", path, e)
        return {}
    return card if isinstance(card, dict) else {}


def load_entry(npz: Path) -> ModelEntry | None:
    """Load `npz` and its card/curve siblings; None (after a log line) when it cannot be used."""
    try:
        net = Network.load(npz)
    except (NetworkError, OSError, ValueError, KeyError, TypeError) as e:
        log.error("skipping model file %s: %s", npz, e)
        return None
    net.id = npz.stem
    curve = npz.with_suffix(".png")
    return ModelEntry(npz.stem, net, npz, _read_card(npz.with_suffix(".json")),
                      curve if curve.is_file() else None)


class ModelStore:
    """Models by id, in load order. `get(id)` → Network; unknown ids raise a 404 ApiError."""

    def __init__(self, entries: Iterable[ModelEntry] = ()) -> None:
        self._entries: dict[str, ModelEntry] = {}
        for entry in entries:
            if entry.id in self._entries:
                log.warning("model %s from %s replaces the one from %s", entry.id, entry.source,
                            self._entries[entry.id].source)
            self._entries[entry.id] = entry

    @classmethod
    def from_dirs(cls, dirs: Iterable[Path | None]) -> ModelStore:
        """Every `*.npz` of each existing directory (sorted by name); missing dirs are logged."""
        entries: list[ModelEntry] = []
        for d in dirs:
            if d is None:
                continue
            if not Path(d).is_dir():
                log.warning("models directory %s does not exist; no models loaded from it", d)
                continue
            entries += [e for p in sorted(Path(d).glob("*.npz")) if (e := load_entry(p))]
        store = cls(entries)
        log.info("models loaded: %s", ", ".join(store.ids()) or "none")
        return store

    @classmethod
    def from_settings(cls, settings: Any) -> ModelStore:
        """The shipped models plus `settings.models_dir` (if set)."""
        return cls.from_dirs([SHIPPED_DIR, getattr(settings, "models_dir", None)])

    def ids(self) -> list[str]:
        return list(self._entries)

    def __iter__(self) -> Iterator[ModelEntry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, model_id: object) -> bool:
        return model_id in self._entries

    def entry(self, model_id: str, *, field: str | None = "model_id") -> ModelEntry:
        """The entry for `model_id`; ApiError 404 `unknown_model` naming `field` otherwise."""
        if model_id not in self._entries:
            known = ", ".join(self._entries) or "none"
            raise ApiError("unknown_model", field=field, limit=known, model_id=model_id)
        return self._entries[model_id]

    def get(self, model_id: str, *, field: str | None = "model_id") -> Network:
        """The Network for `model_id` (see `entry` for the error)."""
        return self.entry(model_id, field=field).network
