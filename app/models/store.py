"""The learned models the server offers, loaded once at startup (see app.main's lifespan).

Sources, in order (a later one with the same id replaces an earlier one, with a log line):
the shipped `app/models/shipped/*.npz`, then every `*.npz` in `settings.models_dir`
(`CONVSCOPE_MODELS_DIR`), at most MAX_MODEL_FILES per directory. Per model: `<id>.npz` (weights),
optional `<id>.json` (model card) and `<id>.png` (learning curve). The id is the file stem.
Only regular files inside the directory are read (app.models.files: no FIFOs, no symlinks leading
out), and a .npz only after its zip and .npy headers and its architecture pass
(app.models.checks). A file that fails is logged once with the reason and skipped; the server
always starts.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.engine.network import Network
from app.errors import ApiError
from app.models.checks import ModelCheckError, check_architecture, check_values
from app.models.files import ModelFileError, open_inside, parse_json, read_model, read_small

log = logging.getLogger("convscope.models")

SHIPPED_DIR = Path(__file__).resolve().parent / "shipped"
MAX_MODEL_FILES = 64  # *.npz per directory; more are logged and skipped
MAX_STORE_PARAMS = 64_000_000  # float32 values over all loaded models (256 MB)
MAX_CARD_BYTES = 256 * 1024
MAX_CURVE_BYTES = 4 * 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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
            if isinstance(value, (int, float)) and not isinstance(value, bool) and \
                    math.isfinite(value) and 0 <= value <= 1:
                return float(value)
        return None


def _read_card(path: Path, root: Path) -> dict[str, Any]:
    if not path.exists() and not path.is_symlink():
        return {}
    try:
        card = parse_json(read_small(path, root, MAX_CARD_BYTES))
    except (ModelFileError, OSError, ValueError) as e:
        log.warning("model card %s refused (%s); serving the model without it", path, e)
        return {}
    return card if isinstance(card, dict) else {}


def _curve(path: Path, root: Path) -> Path | None:
    """The learning curve's real path when it is a PNG file inside root, else None (logged)."""
    if not path.exists() and not path.is_symlink():
        return None
    try:
        with open_inside(path, root, MAX_CURVE_BYTES) as f:
            if f.read(len(PNG_SIGNATURE)) != PNG_SIGNATURE:
                raise ModelFileError("not a PNG file")
    except (ModelFileError, OSError) as e:
        log.warning("learning curve %s refused (%s); serving the model without it", path, e)
        return None
    return path.resolve()


def load_model(npz: Path, root: Path) -> Network:
    """The checked Network in `npz` (app.models.files.read_model); its id is the file stem."""
    arch, params, meta = read_model(npz, root)
    return Network(npz.stem, arch["name"], tuple(arch["input_shape"]), arch["layers"], params,
                   meta=meta)


def load_entry(npz: Path, root: Path | None = None) -> ModelEntry | None:
    """Load `npz` (inside `root`, default its folder) and its card/curve siblings; None after
    one log line with the reason when it cannot be served."""
    root = npz.parent if root is None else root
    try:
        net = load_model(npz, root)
    except (ModelFileError, ModelCheckError) as e:
        log.error("skipping model file %s: %s", npz, e)
        return None
    except Exception as e:  # a reader error we did not foresee: still skipped, still starts
        log.error("skipping model file %s: unreadable (%s: %s)", npz, type(e).__name__, e)
        return None
    return ModelEntry(npz.stem, net, npz, _read_card(npz.with_suffix(".json"), root),
                      _curve(npz.with_suffix(".png"), root))


def _scan(d: Path) -> list[Path]:
    """The *.npz names in d, sorted, at most MAX_MODEL_FILES (the rest logged)."""
    try:
        names = sorted(p for p in d.iterdir() if p.name.endswith(".npz"))
    except OSError as e:
        log.error("models directory %s unreadable (%s); no models loaded from it", d, e)
        return []
    if len(names) > MAX_MODEL_FILES:
        log.error("models directory %s has %d .npz files; loading the first %d", d, len(names),
                  MAX_MODEL_FILES)
    return names[:MAX_MODEL_FILES]


def usable(entry: ModelEntry) -> bool:
    """The entry's network passes the load-time checks (architecture, finite weights)."""
    try:
        check_architecture(entry.network.architecture())
        check_values(entry.network.params)
    except ModelCheckError as e:
        log.error("skipping model %s from %s: %s", entry.id, entry.source, e)
        return False
    return True


class ModelStore:
    """Models by id, in load order. `get(id)` → Network; unknown ids raise a 404 ApiError."""

    def __init__(self, entries: Iterable[ModelEntry] = ()) -> None:
        self._entries: dict[str, ModelEntry] = {}
        total = 0
        for entry in entries:
            if not usable(entry):
                continue
            total += entry.network.param_count()
            if total > MAX_STORE_PARAMS:
                log.error("skipping model %s from %s: the models together would exceed %d "
                          "parameters", entry.id, entry.source, MAX_STORE_PARAMS)
                total -= entry.network.param_count()
                continue
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
            entries += [e for p in _scan(Path(d)) if (e := load_entry(p, Path(d)))]
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
