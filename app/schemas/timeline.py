"""Response of GET /api/models/{id}/checkpoints: the training timeline of a model."""

from __future__ import annotations

from pydantic import BaseModel, Field


class TrainingCurve(BaseModel):
    step: list[int] = Field(description="Global step (1-based) of every training batch.")
    loss: list[float] = Field(description="That batch's cross-entropy loss.")
    accuracy: list[float] = Field(description="That batch's accuracy (augmented inputs).")


class CheckpointsResponse(BaseModel):
    model: str
    steps: list[int] = Field(description="Global steps of the checkpoints; 0 = initial weights, "
                                         "the last = the end of training.")
    steps_per_epoch: int | None = Field(description="Batches per epoch, when the card says.")
    val_loss: list[float] = Field(description="Held-out loss at each checkpoint.")
    val_accuracy: list[float] = Field(description="Held-out accuracy at each checkpoint.")
    curve: TrainingCurve
    file_bytes: int = Field(description="Size of the checkpoint file on disk.")
    weights_bytes: int = Field(description="Bytes of all the checkpoints' weights, unpacked.")
    encoding: str = Field(description="How the weights are stored.")
    note: str | None = Field(None, description="Where the checkpoints come from (model card).")
