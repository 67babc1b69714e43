"""A run's trained model kept or exported: the worker's .npz → engine Network → ONNX
(app/models/onnx_export), added to the imported-model repository (same store, same TTL as
uploads), and the starter's token that guards a run's control endpoints."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import secrets
from pathlib import Path
from typing import Any

import numpy as np

from app.engine.network import Network
from app.errors import ApiError
from app.models.onnx_export import network_onnx_bytes
from app.services.training.job import NS, TTL

TOKEN_HEADER = "X-Training-Token"


def new_token(store: Any, run_id: str) -> str:
    """A fresh token for the run's starter; the store keeps only its sha256."""
    token = secrets.token_urlsafe(24)
    store.put(NS, f"{run_id}:token", hashlib.sha256(token.encode()).hexdigest().encode(), ttl=TTL)
    return token


def check_token(store: Any, run_id: str, token: str | None) -> None:
    """403 training_forbidden unless `token` is the one given when the run was started."""
    want = store.get(NS, f"{run_id}:token")
    got = hashlib.sha256((token or "").encode()).hexdigest().encode()
    if want is None or not token or not hmac.compare_digest(bytes(want), got):
        raise ApiError("training_forbidden", field=TOKEN_HEADER, run_id=run_id)


def run_network(npz: bytes) -> Network:
    """The engine Network of a run's .npz bytes (as job.npz_bytes wrote them)."""
    with np.load(io.BytesIO(npz), allow_pickle=False) as z:
        files = {k: z[k] for k in z.files}
    arch = json.loads(str(files.pop("__architecture__")))
    meta = json.loads(str(files.pop("__meta__", "{}")))
    params = files
    return Network(arch["id"], arch["name"], tuple(arch["input_shape"]), arch["layers"], params,
                   meta=meta)


def labels(dataset: str, classes: int) -> str:
    """The dataset's class names, one per line (synthetic: its colour × pattern names)."""
    if dataset == "synthetic":
        from app.models.datasets.synthetic import NAMES_EN

        if len(NAMES_EN) == classes:
            return "\n".join(NAMES_EN)
    return "\n".join(str(i) for i in range(classes))


NAMES = json.loads((Path(__file__).with_name("names.json")).read_text(encoding="utf-8"))


def kept_name(net: Network, lang: str = "en") -> str:
    """"Trained color-vgg, 300 steps, 97 %" from the run's meta, in `lang` (names.json)."""
    model = net.meta.get("spec", {}).get("model", net.id)
    if isinstance(model, dict):
        model = NAMES["stack"][lang].format(n=len(model.get("layers", [])))
    acc = round(100 * float(net.meta.get("validation_accuracy", 0.0)))
    return str(NAMES["kept"][lang].format(model=model, steps=net.meta.get("steps", 0), acc=acc))


def onnx_bytes(npz: bytes) -> bytes:
    return network_onnx_bytes(run_network(npz))


def keep(repo: Any, npz: bytes) -> Any:
    """Export the run's Network to ONNX and add it to `repo` (an OnnxRepository, untyped here
    to keep app.main's import chain short): the OnnxEntry, import-proven."""
    net = run_network(npz)
    classes = int(net.shapes[-1][-1])
    dataset = str(net.meta.get("spec", {}).get("dataset", ""))
    return repo.add(network_onnx_bytes(net), name=kept_name(net), labels=labels(dataset, classes),
                    normalisation="0-1", name_ja=kept_name(net, "ja"))
