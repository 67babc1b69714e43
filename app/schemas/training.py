"""Request and response models of /api/training (training runs in worker processes)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

_STRICT = ConfigDict(extra="forbid", strict=True)


class ConvLayer(BaseModel):
    model_config = _STRICT
    type: Literal["conv"]
    filters: int = Field(ge=1, le=64)
    size: int = Field(3, ge=1, le=7, description="Kernel FH = FW.")
    pad: int = Field(0, ge=0, le=3)
    stride: int = Field(1, ge=1, le=4)


class ReluLayer(BaseModel):
    model_config = _STRICT
    type: Literal["relu"]


class PoolLayer(BaseModel):
    model_config = _STRICT
    type: Literal["pool"]
    size: int = Field(2, ge=1, le=4, description="Max pooling window.")
    stride: int | None = Field(None, ge=1, le=4, description="Default: the window size.")


class AffineLayer(BaseModel):
    model_config = _STRICT
    type: Literal["affine"]
    units: int = Field(ge=1, le=512)


StackLayer = Annotated[ConvLayer | ReluLayer | PoolLayer | AffineLayer,
                       Field(discriminator="type")]


class LayerStack(BaseModel):
    """Layers the user composes; the final affine to the class count and the softmax are added
    (CONVSCOPE_TRAINING_MAX_LAYERS, _MAX_PARAMS, _MAX_MACS are checked before the run)."""

    model_config = _STRICT
    layers: list[StackLayer] = Field(min_length=1, max_length=64)


class TrainingRequest(BaseModel):
    """A small training run. Static limits here; max_steps and examples are also checked
    against the settings (CONVSCOPE_TRAINING_MAX_STEPS / _MAX_EXAMPLES)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    model: Literal["simple-convnet", "slide4-cnn", "color-vgg"] | LayerStack = Field(
        "color-vgg", description="An architecture id, or {\"layers\": [...]} (a stack); the "
                                 "input shape comes from the dataset.")
    dataset: str = Field("synthetic", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$",
                         description='"synthetic" (the colour patterns, generated), or the '
                                     "prefix of an IDX pair in the data directory.")
    epochs: int = Field(1, ge=1, le=50)
    max_steps: int = Field(300, ge=1, le=1_000_000, description="Optimiser steps at most.")
    batch_size: int = Field(32, ge=1, le=256)
    lr: float = Field(0.002, gt=0, le=1.0, description="Adam learning rate.")
    augment: bool = Field(False, description="Random shifts of up to 2 pixels.")
    examples: int = Field(2000, ge=100, le=1_000_000,
                          description="Images used (generated, or the first of the IDX pair); "
                                      "10 % are held out.")
    seed: int = Field(0, ge=0, le=2**31 - 1)


class TrainingStarted(BaseModel):
    id: str
    status: Literal["running", "queued"]
    position: int = Field(description="0 when running; else the place in the queue (1 = next).")
    events: str = Field(description="The SSE stream of this run.")
    token: str = Field(description="The starter's token: send it as X-Training-Token to pause, "
                                   "resume, stop or keep the run (anyone may watch it).")


class TrainingKept(BaseModel):
    id: str = Field(description="The kept model's id (onnx-…), as an imported model.")
    name: str = Field(description='e.g. "Trained color-vgg, 300 steps, 97 %"')
    name_ja: str = Field(description="The same name in Japanese (services/training/names.json).")
    labels: list[str]
    normalisation: str
    badge: str = Field(description="The import's proof against the ONNX reference.")
    url: str = Field(description="The network view showing this model.")


class TrainingDataset(BaseModel):
    name: str = Field(description="The value for TrainingRequest.dataset.")
    input_shape: list[int] = Field(description="(C, H, W) of its images: a composed stack's "
                                               "input.")
    source: Literal["generated", "data_dir", "dataset_dirs"] = Field(description=(
        "generated: the synthetic colour set (always there); data_dir: an IDX pair in "
        "CONVSCOPE_DATA_DIR; dataset_dirs: a folder of CONVSCOPE_DATASET_DIRS."))


class TrainingDatasets(BaseModel):
    datasets: list[TrainingDataset]
