"""Response bodies of the API (kernels, geometry, convolve, pipeline)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

HW = Annotated[list[int], Field(min_length=2, max_length=2, description="(h, w)")]


class GeometryOut(BaseModel):
    """Output size of a sliding window (slide 10): OH = (H + 2P − FH) / S + 1, floored."""

    H: int
    W: int
    FH: int
    FW: int
    stride: HW
    pad: HW
    dilation: HW
    out_h: int
    out_w: int
    exact: bool = Field(description="Both divisions are exact (no rows/columns dropped).")
    exact_h: bool
    exact_w: bool
    dropped_rows: int = Field(description="Padded rows at the bottom never covered by a window.")
    dropped_cols: int = Field(description="Padded columns at the right never covered.")
    formula_h: str
    formula_w: str


StageName = Literal["input", "conv", "relu", "pool"]


class StageOut(BaseModel):
    """One intermediate result, shaped (N, C, H, W)."""

    name: StageName
    label: str = Field(description="input, conv1, relu1, pool1, conv2, …")
    shape: list[int]
    min: float
    max: float
    mean: float
    preview: str | None = Field(None, description="PNG data URL of the maps (image inputs).")
    values_b64: str | None = Field(None, description="Little-endian float32, C order, base64 "
                                   "(when include_values is true).")
    values_format: str | None = Field(None, description="f32, u16 or u8 (spec.values_format).")
    values_lo: float | None = Field(None, description="u8/u16: x = values_lo + q · values_step.")
    values_step: float | None = Field(None, description="u8/u16: the quantisation step.")
    geometry: GeometryOut | None = Field(None, description="For conv and pool stages.")


class KernelUsed(BaseModel):
    """The kernel actually applied, after resolving the spec."""

    source: str = Field(description="Catalogue id, 'custom', or model/layer[index].")
    values: list[Any] = Field(description="(FH, FW) for a single 2-D kernel, else (FN, C, FH, FW).")
    FN: int
    C: int
    FH: int
    FW: int
    depthwise: bool


class ResizedNote(BaseModel):
    index: int = Field(description="Which image of the batch.")
    original: HW = Field(description="(h, w) as uploaded.")
    resized: HW = Field(description="(h, w) after fitting max_side.")


class ImageNoteOut(BaseModel):
    """Something the decoder changed in an upload (first_frame_only, alpha_on_white, …)."""

    index: int
    code: str
    message_en: str
    message_ja: str


class ConvolveResponse(BaseModel):
    """JSON result of POST /api/convolve."""

    shape: list[int] = Field(description="[N, FN, OH, OW] of the final map(s).")
    geometry: GeometryOut
    pool_geometry: GeometryOut | None = None
    stages: list[StageOut]
    output: list[Any] | None = Field(None, description="Final maps as nested lists "
                                     "(N, FN, OH, OW) when at most max_output_list values.")
    output_omitted: str | None = Field(None, description="Why `output` is null.")
    kernel: KernelUsed
    bias: list[float] = Field(description="One bias per output channel (FN).")
    pixel_scale: str | None = Field(None, description="'[0, 1]' when the input was images.")
    resized: list[ResizedNote] = Field(default_factory=list)
    notes: list[ImageNoteOut] = Field(default_factory=list)
    image_ref: str | None = Field(default=None, description="One uploaded image: its key in the "
                                  "image cache (sha256); send it as the `image_ref` form field "
                                  "instead of the file next time.")


class PipelineResponse(BaseModel):
    """JSON result of POST /api/pipeline: every stage, in order."""

    shape: list[int]
    stages: list[StageOut]
    kernels: list[KernelUsed] = Field(description="One per conv layer, in order.")
    output: list[Any] | None = None
    output_omitted: str | None = None
    pixel_scale: str | None = None
    resized: list[ResizedNote] = Field(default_factory=list)
    notes: list[ImageNoteOut] = Field(default_factory=list)


class KernelParamOut(BaseModel):
    name: str
    kind: Literal["int", "float"]
    default: float
    min: float
    max: float
    step: float
    label_en: str
    label_ja: str


class KernelOut(BaseModel):
    id: str
    category: Literal["smoothing", "sharpening", "edge", "other"]
    name_en: str
    name_ja: str
    description_en: str
    description_ja: str
    params: list[KernelParamOut]
    weights: list[list[float]] = Field(description="(FH, FW) with the default parameters.")


class KernelCatalogue(BaseModel):
    kernels: list[KernelOut]


class GeometryQuery(BaseModel):
    """Query of GET /api/geometry."""

    h: int = Field(ge=1, le=100_000)
    w: int = Field(ge=1, le=100_000)
    fh: int = Field(ge=1, le=1024)
    fw: int = Field(ge=1, le=1024)
    stride: int = Field(1, ge=1, le=1024)
    pad: int = Field(0, ge=0, le=1024)
    dilation: int = Field(1, ge=1, le=64)
