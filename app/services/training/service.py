"""The work behind /api/training: check a request against the settings, start it in the pool,
stream a run's events as Server-Sent Events, give its model."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from app.config import Settings
from app.errors import ApiError
from app.schemas.training import LayerStack, TrainingRequest
from app.services.training import stack
from app.services.training.datasets import available
from app.services.training.job import NS
from app.services.training.pool import FINAL, TrainingPool

HEARTBEAT_S = 15.0


def check(req: TrainingRequest, settings: Settings) -> None:
    """The setting-dependent limits (422 training_limit) and the dataset (422 unknown_dataset)."""
    for field, value, limit, setting in (
            ("max_steps", req.max_steps, settings.training_max_steps,
             "CONVSCOPE_TRAINING_MAX_STEPS"),
            ("examples", req.examples, settings.training_max_examples,
             "CONVSCOPE_TRAINING_MAX_EXAMPLES")):
        if value > limit:
            raise ApiError("training_limit", field=field, limit=limit, value=value,
                           setting=setting)
    names = available(settings.data_dir, settings.dataset_dirs)
    if req.dataset != "synthetic" and req.dataset not in names:
        known = ", ".join(["synthetic", *sorted(names)])
        raise ApiError("unknown_dataset", field="dataset", limit=known, dataset=req.dataset)
    if isinstance(req.model, LayerStack):
        layers = [layer.model_dump() for layer in req.model.layers]
        where = names.get(req.dataset, (settings.data_dir, req.dataset))  # (folder, prefix)
        stack.check(layers, stack.input_shape(req.dataset, *where), req.batch_size, settings)


def datasets(settings: Settings) -> list[dict[str, Any]]:
    """The datasets a run may use: synthetic first, then each IDX pair, with its (C, H, W)."""
    out: list[dict[str, Any]] = [{"name": "synthetic", "input_shape": list(stack.SYNTHETIC_SHAPE),
                                  "source": "generated"}]
    for name, (folder, prefix) in sorted(available(settings.data_dir,
                                                   settings.dataset_dirs).items()):
        out.append({"name": name, "input_shape": list(stack.input_shape(name, folder, prefix)),
                    "source": "data_dir" if folder == settings.data_dir else "dataset_dirs"})
    return out


def start(pool: TrainingPool, req: TrainingRequest, settings: Settings) -> dict[str, Any]:
    check(req, settings)
    run_id, position = pool.submit(req.model_dump())
    return {"id": run_id, "status": "running" if position == 0 else "queued",
            "position": position, "events": f"/api/training/{run_id}/events"}


def known(store: Any, run_id: str) -> None:
    """404 not_found (variant training) when the store has no event of this run."""
    if not store.since(f"{NS}:{run_id}", 0, 1):
        raise ApiError("not_found", variant="training", field="run_id", run_id=run_id)


async def events(store: Any, run_id: str, after: int = 0) -> AsyncIterator[bytes]:
    """SSE frames (id, event, data) from event `after` on, until the run's final event."""
    channel = f"{NS}:{run_id}"
    while True:
        batch = await store.wait(channel, after, HEARTBEAT_S)
        if not batch:
            yield b": keep-alive\n\n"
            continue
        for event_id, data in batch:
            after = event_id
            kind = json.loads(data).get("type", "message")
            yield f"id: {event_id}\nevent: {kind}\ndata: ".encode() + data + b"\n\n"
            if kind in FINAL:
                return


def model_bytes(store: Any, run_id: str) -> bytes:
    known(store, run_id)
    data = store.get(NS, f"{run_id}:model")
    if data is None:
        raise ApiError("not_found", variant="training_model", field="run_id", run_id=run_id)
    return bytes(data)
