"""One training run, in a worker process of its own (spawned by pool.TrainingPool).

Events go to the shared store's channel ``training:<id>`` as JSON: ``started``; ``progress``
every ≥ 0.2 s (step, epoch, loss, batch accuracy, held-out accuracy, conv1 filters (FN, C, FH,
FW), the first probe maps (conv1 after ReLU of one held-out image, 0–255)); then one of
``finished`` | ``stopped`` (reason: request, max_steps, wall_clock) | ``failed``. The control key
``training/<id>:control`` ("pause", "run", "stop") is read after every batch. The trained
weights go to ``training/<id>:model`` (.npz bytes) for download and keep.
"""

from __future__ import annotations

import io
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.engine.architectures import ARCHITECTURES
from app.engine.network import Network
from app.engine.train import TrainConfig, evaluate, train

NS = "training"
TTL = 3600.0  # seconds the events and the model stay in the store
EMIT_EVERY = 0.2  # seconds between progress events (≥ 5 per second while training)
PROBE_MAPS = 4
VAL_MAX = 100


class StopTrainingError(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


@dataclass(frozen=True)
class Caps:
    max_steps: int
    max_seconds: float


def load_dataset(name: str, examples: int, seed: int, data_dir: str,
                 dataset_dirs: str = "") -> tuple[np.ndarray, np.ndarray]:
    """(x (N, C, H, W) float32 in [0, 1], t (N,) int64): the synthetic colour set, or the IDX
    pair named `name` (app.services.training.datasets; first `examples` images); ValueError
    when absent."""
    if name == "synthetic":
        from app.models.datasets.synthetic import generate

        return generate(examples, seed)
    from app.engine.data import find_idx_pair, load_idx, to_float
    from app.services.training.datasets import available

    folder, prefix = available(Path(data_dir), dataset_dirs).get(name, (Path(data_dir), name))
    x, t = load_idx(*find_idx_pair(folder, prefix))
    return to_float(x[:examples]), t[:examples].astype(np.int64)


def build_for(model: str | dict[str, Any], input_shape: tuple[int, ...], classes: int,
              seed: int) -> Network:
    """The architecture `model` (an id, or {"layers": [...]} a composed stack) for this
    dataset's input shape and class count."""
    if isinstance(model, dict):
        from app.services.training.stack import specs

        n = len(model["layers"])
        return Network("trained-stack", f"Your stack of {n} layers (trained in ConvScope)",
                       tuple(input_shape), specs(model["layers"], classes),  # type: ignore[arg-type]
                       seed=seed)
    a = ARCHITECTURES[model]
    layers = [dict(s) for s in a["layers"]]
    layers[-2] = {**layers[-2], "units": classes}  # the last affine layer: one unit per class
    return Network(f"trained-{model}", f"{a['name']} (trained in ConvScope)",
                   tuple(input_shape), layers, seed=seed)  # type: ignore[arg-type]


def _snapshot(net: Network, probe: np.ndarray) -> dict[str, Any]:
    W = net.params["conv1.W"]
    stages = net.forward_stages(probe[None])
    first = next(i for i, s in enumerate(stages) if s.name == "conv1")
    after = [s for s in stages[first:] if s.kind == "relu" and s.data.ndim == 4]
    relu = (after[0] if after else stages[first]).data[0][:PROBE_MAPS]
    relu = np.maximum(relu, 0)
    hi = float(relu.max()) or 1.0
    return {"filters": np.round(W, 4).tolist(),
            "probe": np.rint(relu / hi * 255).astype(int).tolist()}


def npz_bytes(net: Network) -> bytes:
    """The .npz of net (as Network.save writes it) in memory."""
    arrays: dict[str, np.ndarray] = {k: v.astype(np.float32) for k, v in net.params.items()}
    arrays["__architecture__"] = np.array(json.dumps(net.architecture()))
    arrays["__meta__"] = np.array(json.dumps(net.meta))
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def pin_blas() -> Any:
    """One BLAS thread in this run's process (as OPENBLAS_NUM_THREADS=1 under gunicorn): the
    training layers' many small products stall with more on a busy machine. Returns the
    threadpoolctl limiter (restore_original_limits() undoes it)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def run_job(run_id: str, spec: dict[str, Any], store_cfg: dict[str, str], caps: Caps) -> None:
    """The worker process's entry point: train, streaming events, then save the model."""
    from pathlib import Path

    from app.config import Settings
    from app.store import open_store

    pin_blas()
    store = open_store(Settings(data_dir=Path(store_cfg["data_dir"]),
                                redis_url=store_cfg["redis_url"]))
    channel = f"{NS}:{run_id}"

    def emit(kind: str, **data: Any) -> None:
        store.append(channel, json.dumps({"type": kind, **data}).encode(), ttl=TTL)
        if kind in ("finished", "stopped", "failed"):
            store.put(NS, f"{run_id}:status", kind.encode(), ttl=TTL)

    try:
        _train(run_id, spec, store_cfg, caps, store, emit)
    except Exception as e:  # reported to the stream; the pool frees the slot
        emit("failed", reason=f"{type(e).__name__}: {e}"[:300])
    finally:
        store.close()


def _train(run_id: str, spec: dict[str, Any], store_cfg: dict[str, str], caps: Caps,
           store: Any, emit: Any) -> None:
    x, t = load_dataset(spec["dataset"], spec["examples"], spec["seed"], store_cfg["data_dir"],
                        store_cfg.get("dataset_dirs", ""))
    n_val = max(10, len(x) // 10)
    perm = np.random.default_rng(spec["seed"]).permutation(len(x))
    val, tr = perm[:n_val], perm[n_val:]
    classes = int(t.max()) + 1
    net = build_for(spec["model"], x.shape[1:], classes, spec["seed"])
    xv, tv = x[val[:VAL_MAX]], t[val[:VAL_MAX]]
    probe = x[val[0]]
    config = TrainConfig(epochs=spec["epochs"], batch_size=spec["batch_size"], lr=spec["lr"],
                         seed=spec["seed"], max_shift=2 if spec["augment"] else 0)
    steps_per_epoch = -(-len(tr) // config.batch_size)
    total = min(spec["max_steps"], steps_per_epoch * config.epochs)  # the run's own end
    start = time.monotonic()
    lock = threading.Lock()
    latest: dict[str, Any] = {"step": 0, "total": total, "classes": classes,
                              "input_shape": list(x.shape[1:]), **_snapshot(net, probe)}
    latest["val_accuracy"] = evaluate(net, xv, tv)[1]
    emit("started", **latest)
    done = threading.Event()

    def emitter() -> None:  # progress at a steady rate, whatever a batch costs
        last = 0  # the started event carried step 0
        while not done.wait(EMIT_EVERY):
            with lock:
                state = dict(latest)
            if state["step"] != last:
                emit("progress", **state)
                last = state["step"]

    thread = threading.Thread(target=emitter, daemon=True)
    thread.start()
    last_val = time.monotonic()

    def on_batch(b: Any) -> None:
        nonlocal last_val
        step = (b.epoch - 1) * b.steps + b.step
        update: dict[str, Any] = {"step": step, "epoch": b.epoch, "loss": round(b.loss, 5),
                                  "accuracy": round(b.accuracy, 4),
                                  "elapsed": round(time.monotonic() - start, 2),
                                  **_snapshot(net, probe)}
        if time.monotonic() - last_val > 1.0 or step == total:
            update["val_accuracy"] = evaluate(net, xv, tv)[1]
            last_val = time.monotonic()
        with lock:
            latest.update(update)
        _control(store, run_id, step, total, start, caps)

    status, reason = "finished", None
    try:
        train(net, x[tr], t[tr], config, on_batch=on_batch)
    except StopTrainingError as s:
        status, reason = ("finished", None) if s.reason == "done" else ("stopped", s.reason)
    done.set()
    thread.join()
    val_loss, val_acc = evaluate(net, x[val], t[val])
    net.meta = {"source": "POST /api/training", "spec": spec, "validation_accuracy": val_acc,
                "steps": latest["step"]}
    store.put(NS, f"{run_id}:model", npz_bytes(net), ttl=TTL)
    with lock:
        final = dict(latest)
    final.update(val_accuracy=val_acc, val_loss=val_loss)
    emit(status, reason=reason, **final)


def _control(store: Any, run_id: str, step: int, total: int, start: float, caps: Caps) -> None:
    """Raise StopTrainingError at the run's end ("done"), on a stop request or a cap; wait here
    while paused."""
    while True:
        if step >= total:
            raise StopTrainingError("done")
        if step >= caps.max_steps:
            raise StopTrainingError("max_steps")  # the server's cap (CONVSCOPE_TRAINING_MAX_STEPS)
        if time.monotonic() - start > caps.max_seconds:
            raise StopTrainingError("wall_clock")
        cmd = store.get(NS, f"{run_id}:control")
        if cmd == b"stop":
            raise StopTrainingError("request")
        if cmd != b"pause":
            return
        time.sleep(0.1)  # paused: the worker process waits (never a web thread)
