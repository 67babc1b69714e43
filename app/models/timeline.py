"""A model's training timeline: the checkpoints taken during its own training
(app.models.checkpoints), found beside its weights as ``checkpoints/<id>.npz``, and the
Network at any of their steps (deterministic: the same step gives the same weights).

Files are read once (cached by path and modification time) with allow_pickle=False; networks
at a step are cached too (a few, LRU), so scrubbing back and forth costs no reload.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

from app.engine.network import Network
from app.errors import ApiError
from app.models import checkpoints as ck
from app.models.store import ModelEntry

MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024


def checkpoint_path(entry: ModelEntry) -> Path | None:
    """``<weights folder>/checkpoints/<id>.npz`` when it is a regular file (no symlink)."""
    p = entry.source.parent / "checkpoints" / f"{entry.id}.npz"
    if p.is_symlink() or not p.is_file() or p.stat().st_size > MAX_CHECKPOINT_BYTES:
        return None
    return p


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> ck.Checkpoints:
    return ck.load(path)


def timeline(entry: ModelEntry) -> ck.Checkpoints:
    """The entry's checkpoints; 404 not_found (variant checkpoints) when it has none."""
    p = checkpoint_path(entry)
    if p is None:
        raise ApiError("not_found", variant="checkpoints", field="model_id", model_id=entry.id)
    try:
        return _load(str(p), p.stat().st_mtime)
    except (OSError, ValueError):
        raise ApiError("not_found", variant="checkpoints", field="model_id",
                       model_id=entry.id) from None


_NETS: OrderedDict[tuple[str, str, float, int], Network] = OrderedDict()
_NETS_MAX = 12
_LOCK = threading.Lock()


def _network(entry: ModelEntry, path: str, mtime: float, step: int) -> Network:
    key = (entry.id, path, mtime, step)
    with _LOCK:
        if key in _NETS:
            _NETS.move_to_end(key)
            return _NETS[key]
    cks = _load(path, mtime)
    net = entry.network
    at = Network(net.id, net.name, net.input_shape, net.specs, cks.params(cks.index(step)),
                 meta=net.meta)
    with _LOCK:
        _NETS[key] = at
        while len(_NETS) > _NETS_MAX:
            _NETS.popitem(last=False)
    return at


def network_at(entry: ModelEntry, step: int | None) -> Network:
    """The model's Network at checkpoint `step` (None: the shipped, final weights);
    422 unknown_step listing the steps when there is no checkpoint at `step`."""
    if step is None:
        return entry.network
    cks = timeline(entry)
    if step not in set(cks.steps.tolist()):
        shown = ", ".join(map(str, cks.steps.tolist()))
        raise ApiError("unknown_step", field="step", limit=shown, model_id=entry.id, step=step)
    p = checkpoint_path(entry)
    assert p is not None
    return _network(entry, str(p), p.stat().st_mtime, step)
