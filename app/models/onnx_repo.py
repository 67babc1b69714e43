"""Where imported ONNX models live: the shared store (app/store), ns "models".

    "blob:<sha256>"  the .onnx bytes, content-addressed (the same file is stored once)
    "id:<id>"        the record: sha256, name, labels, normalisation, the match badge

The id ("onnx-" + 24 random URL-safe characters, 144 bits) is unguessable: a model is visible to
whoever has its id, to every worker (the store is shared), until onnx_ttl_s passes. Teachers'
permanent models are `<name>.onnx` (+ `<name>.json` record) files in CONVSCOPE_MODELS_DIR,
written by `convscope import-onnx`; their id is "onnx-<name>". Parsed models are cached per
worker by sha256 (re-mapped without the reference run: the bytes were proven at import).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from app.errors import ApiError
from app.models.onnx_import import ImportedModel, OnnxLimits, import_onnx, labels_from
from app.models.onnx_import.model import OnnxEntry
from app.store import Store

NS = "models"
PREFIX = "onnx-"
ID_RE = re.compile(r"^onnx-[A-Za-z0-9_-]{1,64}$")
CACHE_SIZE = 8


_cache: OrderedDict[str, ImportedModel] = OrderedDict()


def _model(sha: str, data: bytes, limits: OnnxLimits, name: str) -> ImportedModel:
    if sha in _cache:
        _cache.move_to_end(sha)
        return _cache[sha]
    model = import_onnx(data, limits, name=name, check=False).model
    _cache[sha] = model
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return model


def make_record(data: bytes, limits: OnnxLimits, *, name: str = "", labels: str | None = None,
                normalisation: str = "0-1") -> tuple[dict[str, Any], ImportedModel]:
    """Import (proven against onnx.reference) and describe: the record to store."""
    imp = import_onnx(data, limits, name=name)
    assert imp.match is not None
    model = imp.model
    sha = hashlib.sha256(data).hexdigest()
    _cache[sha] = model
    record = {"sha256": sha, "name": model.name, "labels": labels_from(model, labels),
              "normalisation": normalisation, "badge": imp.match.badge(),
              "max_error": imp.match.max_error, "bytes": len(data),
              "input_layout": model.input_layout, "created": int(time.time())}
    return record, model


class OnnxRepository:
    """Imported models in `store` (TTL ttl_s, at most cap keys) and in `models_dir`."""

    def __init__(self, store: Store, limits: OnnxLimits, ttl_s: float | None = None,
                 cap: int | None = None, models_dir: Path | None = None) -> None:
        self.store, self.limits, self.ttl, self.cap = store, limits, ttl_s, cap
        self.models_dir = models_dir

    @classmethod
    def from_settings(cls, store: Store, s: Any) -> OnnxRepository:
        return cls(store, OnnxLimits.from_settings(s), s.onnx_ttl_s, s.onnx_max_stored,
                   s.models_dir)

    def add(self, data: bytes, *, name: str = "", labels: str | None = None,
            normalisation: str = "0-1", name_ja: str | None = None) -> OnnxEntry:
        """Import, prove and store; a new unguessable id per upload (the bytes once)."""
        record, model = make_record(data, self.limits, name=name, labels=labels,
                                    normalisation=normalisation)
        if name_ja:
            record["name_ja"] = name_ja
        model_id = PREFIX + secrets.token_urlsafe(18)
        self.store.put(NS, "blob:" + record["sha256"], data, ttl=self.ttl, cap=self.cap)
        self.store.put(NS, "id:" + model_id, json.dumps(record).encode(), ttl=self.ttl,
                       cap=self.cap)
        return OnnxEntry(model_id, record, model)

    def _files(self, model_id: str) -> tuple[bytes, dict[str, Any]] | None:
        if self.models_dir is None:
            return None
        stem = model_id[len(PREFIX):]
        path = Path(self.models_dir) / f"{stem}.onnx"
        if not path.is_file() or path.stat().st_size > self.limits.max_bytes:
            return None
        card = path.with_suffix(".json")
        record = json.loads(card.read_text(encoding="utf-8")) if card.is_file() else {}
        return path.read_bytes(), record

    def permanent_ids(self) -> list[str]:
        if self.models_dir is None or not Path(self.models_dir).is_dir():
            return []
        return sorted(PREFIX + p.stem for p in Path(self.models_dir).glob("*.onnx")
                      if ID_RE.match(PREFIX + p.stem))

    def get(self, model_id: str) -> OnnxEntry:
        """The entry for `model_id`; 404 unknown_model when absent or expired."""
        found = None
        if ID_RE.match(model_id):
            raw = self.store.get(NS, "id:" + model_id)
            if raw is not None:
                record = json.loads(raw)
                blob = self.store.get(NS, "blob:" + record["sha256"])
                found = (blob, record) if blob is not None else None
            else:
                found = self._files(model_id)
        if found is None:
            raise ApiError("unknown_model", field="model_id", limit="an id from POST /api/models",
                           model_id=model_id)
        data, record = found
        sha = record.get("sha256") or hashlib.sha256(data).hexdigest()
        model = _model(sha, data, self.limits, str(record.get("name", "")))
        if "labels" not in record:
            record = {**record, "labels": labels_from(model, None)}
        return OnnxEntry(model_id, record, model)

    def raw(self, model_id: str) -> bytes:
        """The stored .onnx bytes (404 as get)."""
        entry = self.get(model_id)
        blob = self.store.get(NS, "blob:" + entry.record.get("sha256", ""))
        if blob is None:
            files = self._files(model_id)
            if files is None:
                raise ApiError("unknown_model", field="model_id", limit="", model_id=model_id)
            blob = files[0]
        return blob
