"""Request bodies of /api/convolve and /api/pipeline. Static limits live in Field(...); limits
that are settings (kernel side, FN, layers, images, budgets) are checked in app.services.kernels /
app.services.plan / app.api.body."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

MAX_ABS_VALUE = 1e6
"""|value| limit for inputs, kernel weights and biases (keeps float32 results finite)."""

Stride = Annotated[int, Field(ge=1, le=64)]
Pad = Annotated[int, Field(ge=0, le=64)]
Dilation = Annotated[int, Field(ge=1, le=16)]
PoolSide = Annotated[int, Field(ge=1, le=32)]
Number = Annotated[float, Field(allow_inf_nan=False, ge=-MAX_ABS_VALUE, le=MAX_ABS_VALUE)]

StrideField = Stride | Annotated[list[Stride], Field(min_length=2, max_length=2)]
PadField = Pad | Annotated[list[Pad], Field(min_length=2, max_length=2)]
DilationField = Dilation | Annotated[list[Dilation], Field(min_length=2, max_length=2)]
PoolSideField = PoolSide | Annotated[list[PoolSide], Field(min_length=2, max_length=2)]

NESTED_LIST_SCHEMA: dict[str, Any] = {
    "type": "array", "minItems": 1,
    "items": {"anyOf": [{"type": "number"}, {"type": "array"}]},
}


class CatalogueKernel(BaseModel):
    """A catalogue kernel with parameters, e.g. {"id": "gaussian", "size": 5, "sigma": 1.2}."""

    model_config = ConfigDict(extra="allow", json_schema_extra={
        "additionalProperties": {"type": "number"}})
    id: str = Field(max_length=64, description="Catalogue id (GET /api/kernels).")


class ModelKernel(BaseModel):
    """Filters a model learned: one filter (index) or the whole layer as a bank."""

    model_config = ConfigDict(extra="forbid", strict=True)  # "2", true, 0 for bool: refused
    model: str = Field(max_length=128, description="Model id (GET /api/models).")
    layer: str = Field(max_length=64, description="Conv layer name, e.g. conv1.")
    index: int | None = Field(None, ge=0, le=1023, description="One filter; omit for the bank.")


KernelField = Annotated[
    str | ModelKernel | CatalogueKernel | list[Any],
    Field(description="A catalogue id; {id, parameters}; a 2-D list (FH, FW); a 3-D list (C, FH, "
                      "FW) as one filter; a 4-D list (FN, C, FH, FW) as a filter bank; or "
                      "{model, layer[, index]} for learned filters. FH, FW ≤ max_kernel_side "
                      "(31), FN ≤ max_filters (64); a list kernel has at most max_kernel_values "
                      "(1,048,576 = 64·64·16·16) values FN·C·FH·FW (422 kernel_too_large), and "
                      "a JSON spec at most max_kernel_values + 8192 numbers in all.",
          json_schema_extra={"examples": ["sobel-x", [[2, 0, 1], [0, 1, 2], [1, 0, 2]]]}),
]
BiasField = Annotated[
    Number | Annotated[list[Number], Field(min_length=1, max_length=1024)],
    Field(description="One number for every filter, or FN numbers (one per filter)."),
]


class ConvParams(BaseModel):
    """One convolution: OH = (H + 2P − FH_eff) / S + 1, FH_eff = dilation·(FH − 1) + 1."""

    model_config = ConfigDict(extra="forbid", strict=True)  # "2", true, 0 for bool: refused
    kernel: KernelField = [[1]]  # a 1×1 identity: fits any input (a 3×3 would not fit 1×1 or 2×2)
    bias: BiasField = 0.0
    stride: StrideField = 1
    pad: PadField = 0
    pad_mode: Literal["zeros", "edge", "reflect"] = "zeros"
    dilation: DilationField = 1
    depthwise: bool = Field(False, description="The same 2-D kernel on each channel (FN = C).")


class PoolSpec(BaseModel):
    """Pooling after the conv (and ReLU): window size, stride (defaults to size)."""

    model_config = ConfigDict(extra="forbid", strict=True)  # "2", true, 0 for bool: refused
    type: Literal["max", "avg"] = "max"
    size: PoolSideField = 2
    stride: PoolSideField | None = None


class InputOptions(BaseModel):
    """How inputs are read and what the response carries."""

    model_config = ConfigDict(extra="forbid", strict=True)  # "2", true, 0 for bool: refused
    color: Literal["gray", "rgb"] = Field("gray", description="Images become C=1 or C=3.")
    max_side: int | None = Field(None, ge=1, le=8192,
                                 description="Resize uploads so the long side fits (reported), "
                                 "with LANCZOS. A JPEG is first downscaled by libjpeg in the DCT "
                                 "domain by 1/2, 1/4 or 1/8 (never below the target), so it "
                                 "differs from a full decode + LANCZOS (3-19/255 on photos).")
    include_values: bool = Field(False, description="Each stage carries values_b64 (little-endian "
                                 "float32, C order); at most max_values_b64 values in all.")
    values_format: Literal["f32", "u16", "u8"] = Field(
        "f32", description="How values_b64 is written: f32 exact little-endian float32; u16 / u8 "
        "quantised between the stage's min and max, each plane predicted from the row above "
        "mod 2^b, zlib (see docs/wire-values.md); decoded values are off by at most "
        "(max − min) / (2·(2^b − 1)).")
    value_stages: list[Literal["input", "conv", "relu", "pool"]] | None = Field(
        None, max_length=4, description="Only these stages carry values_b64 (all when omitted); "
        "e.g. leave out the input, which the page already has.")
    include_output: bool = Field(True, description="Send `output` as nested lists (up to "
                                 "max_output_list values); off when the values come as "
                                 "values_b64 anyway.")
    previews: bool = Field(True, description="Image inputs: each stage carries a PNG preview "
                           "(turn off to save the encoding time when drawing from values_b64).")


class ConvSpec(ConvParams, InputOptions):
    """The `spec` of POST /api/convolve: conv → optional ReLU → optional pooling."""

    activation: Literal["none", "relu"] = "none"
    pool: PoolSpec | None = None


class ConvLayer(ConvParams):
    type: Literal["conv"]


class ReluLayer(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # "2", true, 0 for bool: refused
    type: Literal["relu"]


class PoolLayer(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # "2", true, 0 for bool: refused
    type: Literal["pool"]
    mode: Literal["max", "avg"] = "max"
    size: PoolSideField = 2
    stride: PoolSideField | None = None


Layer = Annotated[ConvLayer | ReluLayer | PoolLayer, Field(discriminator="type")]


class PipelineSpec(InputOptions):
    """The `spec` of POST /api/pipeline: up to max_pipeline_layers (16) layers, in order."""

    layers: list[Layer] = Field(min_length=1, description=(
        "conv / relu / pool layers, in order; at most max_pipeline_layers (a setting, 16 by "
        "default: 422 too_many_items naming the limit)."))

    @field_validator("layers", mode="before")
    @classmethod
    def _at_most_max_layers(cls, value: Any, info: ValidationInfo) -> Any:
        """Refuse more than the context's `max_pipeline_layers` before validating any layer
        (the API passes its settings' value; without a context the planner checks it)."""
        limit = (info.context or {}).get("max_pipeline_layers")
        if limit is not None and isinstance(value, list) and len(value) > limit:
            raise PydanticCustomError(
                "too_long", "List should have at most {max_length} items, not {actual_length}",
                {"max_length": limit, "actual_length": len(value), "field_type": "List"})
        return value


InputField = Annotated[list[Any], Field(
    min_length=1, max_length=8192,
    description="Nested list shaped (H, W), (C, H, W) or (N, C, H, W) of finite numbers, "
                "|x| ≤ 1e6; at most max_input_values (1,048,576 = 1024×1024) values.",
    json_schema_extra=NESTED_LIST_SCHEMA)]


class ConvolveRequest(BaseModel):
    """JSON body of POST /api/convolve."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "input": [[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]],
        "spec": {"kernel": [[2, 0, 1], [0, 1, 2], [1, 0, 2]], "bias": 3}}]})
    input: InputField
    spec: ConvSpec = Field(default_factory=lambda: ConvSpec.model_validate({}))


class PipelineRequest(BaseModel):
    """JSON body of POST /api/pipeline."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "input": [[1, 2, 1, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 4, 0, 1]],
        "spec": {"layers": [{"type": "conv", "kernel": "sharpen", "pad": 1}, {"type": "relu"},
                            {"type": "pool", "mode": "max", "size": 2}]}}]})
    input: InputField
    spec: PipelineSpec
