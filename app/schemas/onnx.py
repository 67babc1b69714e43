"""Responses of the imported-model routes (POST /api/models, /api/models/onnx-…)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class OnnxLayer(BaseModel):
    """One row of the layer table: the ONNX node it came from, shapes, parameters as a
    formula, FLOPs (2 · multiply-adds for one image), and the layer's settings."""

    model_config = ConfigDict(extra="allow")
    name: str
    type: str = Field(description="input, conv, batchnorm, relu, pool, affine, softmax, ...")
    op: str = Field(description="The ONNX operator (Conv, Gemm, ...).")
    node: str = Field(description="The ONNX node name.")
    output_shape: list[int]
    params: int
    formula: str = Field(description='Parameter count as a formula, e.g. "16·3·5·5 + 16 = 1216".')
    flops: int


class OnnxModelDetail(BaseModel):
    id: str = Field(description="Unguessable id: keep it to open the model again.")
    name: str
    name_ja: str | None = Field(default=None, description="The name in Japanese (a kept run).")
    source: str = Field(description="onnx (uploaded, expires) or onnx-file (a teacher's).")
    input_shape: list[int] = Field(description="(C, H, W) the engine takes.")
    input_layout: str = Field(description="NCHW, or NHWC (a leading Transpose folded away).")
    params: int
    flops: int
    conv_layers: list[str]
    labels: list[str]
    normalisation: str
    badge: str = Field(description='"matches the ONNX reference to 3.0e-07 on every layer"')
    max_error: float | None
    layers: list[OnnxLayer]


class OnnxStage(BaseModel):
    name: str
    kind: str
    shape: list[int]
    min: float
    max: float
    mean: float
    previews: list[str] | None = Field(description="One PNG data URL: the stage's channels as a "
                                                   "grid of tiles on one colour scale (⌈√C⌉ "
                                                   "columns, 1-pixel gaps).")
    tiles: int = Field(default=0, description="How many channels the sheet shows (the first "
                                              "max_preview_maps).")
    scale: Literal["diverging", "sequential"] = Field(description=(
        "The tiles' colour scale: diverging [−m, m] (m = max |v|) for signed stages, "
        "sequential [min(0, min), max] otherwise."))
    values: list[Any] | None


class OnnxPredictResponse(BaseModel):
    model: str
    label: int
    label_name: str
    probabilities: list[float] = Field(description="Softmax of the last output (as is when the "
                                                   "model ends in Softmax).")
    preparation: dict[str, Any] = Field(description="What was done to the input, said openly.")
    stages: list[OnnxStage]
    input_values: list[Any] | None = Field(default=None, description=(
        "The prepared input (C, H, W) as nested lists, when asked for (input_values=true)."))
    preview: str | None = Field(default=None, description=(
        "PNG data URL of the prepared input as the network sees it (gray or RGB, stretched "
        "from its min to its max); none for other channel counts or previews=false."))
