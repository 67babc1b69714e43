"""The work behind /api/models/{id}/checkpoints: a model's training timeline as JSON."""

from __future__ import annotations

from app.models.store import ModelEntry
from app.models.timeline import checkpoint_path, timeline
from app.schemas.timeline import CheckpointsResponse, TrainingCurve

ENCODING = ("conv weights and biases float16; affine weights int8 with one float32 scale per "
            "output unit (w = q · scale); ?step= uses them as float32")


def checkpoints(entry: ModelEntry) -> CheckpointsResponse:
    """steps, held-out loss/accuracy at each, the per-batch curve, sizes (404 when none)."""
    cks = timeline(entry)
    path = checkpoint_path(entry)
    epochs = entry.card.get("epochs")
    last = int(cks.steps[-1])
    per_epoch = last // epochs if isinstance(epochs, int) and epochs > 0 and last % epochs == 0 \
        else None
    c = cks.curve
    return CheckpointsResponse(
        model=entry.id, steps=cks.steps.tolist(), steps_per_epoch=per_epoch,
        val_loss=[round(float(v), 5) for v in cks.val_loss],
        val_accuracy=[round(float(v), 5) for v in cks.val_accuracy],
        curve=TrainingCurve(step=c[:, 0].astype(int).tolist(),
                            loss=[round(float(v), 4) for v in c[:, 1]],
                            accuracy=[round(float(v), 4) for v in c[:, 2]]),
        file_bytes=path.stat().st_size if path else 0, weights_bytes=cks.nbytes(),
        encoding=ENCODING, note=_note(entry))


def _note(entry: ModelEntry) -> str | None:
    facts = entry.card.get("checkpoints")
    note = facts.get("note") if isinstance(facts, dict) else None
    return note if isinstance(note, str) else None
