"""Request and response models of /api/models (learned models: list, layers, filters, predict)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MNIST_SIDE = 28

Pixel = Annotated[float, Field(ge=0.0, le=1.0)]
Row = Annotated[list[Pixel], Field(min_length=MNIST_SIDE, max_length=MNIST_SIDE)]
Digit = Annotated[list[Row], Field(min_length=MNIST_SIDE, max_length=MNIST_SIDE)]
COLOUR_SIDE = 32  # the colour model (color-vgg): (3, 32, 32)
Row32 = Annotated[list[Pixel], Field(min_length=COLOUR_SIDE, max_length=COLOUR_SIDE)]
Plane32 = Annotated[list[Row32], Field(min_length=COLOUR_SIDE, max_length=COLOUR_SIDE)]
ColourImage = Annotated[list[Plane32], Field(min_length=3, max_length=3)]


class ModelSummary(BaseModel):
    id: str = Field(description="Model id (the weight file's stem), e.g. simple-convnet.")
    name: str
    name_ja: str | None = Field(default=None, description="The name in Japanese, when the model "
                                                          "has one (a kept training run).")
    input_shape: list[int] = Field(description="(C, H, W) of one input, e.g. [1, 28, 28].")
    accuracy: float | None = Field(description="Validation accuracy in [0, 1] from the model card.")
    params: int = Field(description="Number of learned parameters.")
    conv_layers: list[str] = Field(description="Names of the conv layers, e.g. ['conv1'].")
    curve_url: str | None = Field(description="Learning curve image, when the model has one.")


class ModelList(BaseModel):
    models: list[ModelSummary]


class LayerInfo(BaseModel):
    """One row of the layer table; conv/pool/affine rows add their settings."""

    model_config = ConfigDict(extra="allow")
    name: str
    type: Literal["input", "conv", "relu", "pool", "affine", "softmax"]
    output_shape: list[int] = Field(description="Shape of one image's output: (C, H, W) or (M,).")
    params: int = Field(description="Parameters of this layer (weights + biases).")


class ModelDetail(ModelSummary):
    layers: list[LayerInfo]
    card: dict[str, Any] = Field(description="The model card: data, split, seed, epochs, ...")


class FiltersResponse(BaseModel):
    model: str
    layer: str
    shape: list[int] = Field(description="(FN, C, FH, FW)")
    weights: list[list[list[list[float]]]] = Field(description="W[FN][C][FH][FW], float32 values.")
    bias: list[float] = Field(description="b[FN]")
    min: float
    max: float
    grid: str = Field(description="PNG data URL: one tile per filter (channel 0), each scaled "
                                  "to its own min..max, gray (book's visualize_filter).")


class PredictRequest(BaseModel):
    """An input already prepared: a digit, 28×28 values in [0, 1], white on black (as MNIST),
    or for a colour model an RGB image (3, 32, 32) in [0, 1]."""

    model_config = ConfigDict(extra="forbid", strict=True)  # "2", true, 0 for bool: refused
    input: Digit = Field(description="28 rows of 28 values in [0, 1] (or, for a colour model, "
                                     "(3, 32, 32) values in [0, 1]); used as it is.")
    previews: bool = Field(True, description="Include PNG previews of every stage's channels.")


class ColourPredictRequest(PredictRequest):
    """An RGB image for a colour model: (3, 32, 32) values in [0, 1] (chosen by nesting depth)."""

    input: ColourImage = Field(description="3 planes of 32 rows of 32 values in [0, 1].")  # type: ignore[assignment]


class Preparation(BaseModel):
    """What was done to the input before the network saw it (never silent)."""

    source: Literal["json", "upload"]
    inverted: bool = Field(description="The background was light, so the image was inverted.")
    empty: bool = Field(description="No ink was found; the input is all zeros.")
    bbox: list[int] | None = Field(description="Ink box in the upload: top, left, bottom, right.")
    scale: float = Field(description="Resize factor that fitted the ink box into 20×20.")
    offset: list[int] = Field(description="Top-left of the fitted box in 28×28 (row, col).")
    resized_from: list[int] | None = Field(description="Upload size (h, w) when it was shrunk "
                                                       "on decoding.")


class PreparedInput(BaseModel):
    values: list[list[float]] | list[list[list[float]]] = Field(
        description="The input the network saw: 28×28, or (3, 32, 32) for a colour model.")
    preview: str = Field(description="PNG data URL of the input.")
    preparation: Preparation


class ModelStageOut(BaseModel):
    """One layer output for the single input image (batch axis dropped)."""

    name: str = Field(description="input, conv1, relu1, pool1, ..., softmax")
    kind: Literal["input", "conv", "relu", "pool", "affine", "softmax"]
    shape: list[int] = Field(description="(C, H, W) for maps, (M,) for vectors.")
    min: float
    max: float
    mean: float
    previews: list[str] | None = Field(description="One PNG data URL per channel (first "
                                                   "`channels_shown`), all on the stage's scale.")
    channels_shown: int = Field(description="How many channels have a preview.")
    scale: Literal["gray", "diverging", "sequential"] = Field(description="Colour scale of the "
                                                                 "previews.")
    values: list[Any] | None = Field(description="The values as nested lists when the stage is "
                                                 "small (at most SMALL_STAGE values).")


class PredictResponse(BaseModel):
    model: str
    label: int = Field(description="The predicted digit: argmax of probabilities.")
    probabilities: list[float] = Field(description="Softmax output, one per class (10).")
    input: PreparedInput
    stages: list[ModelStageOut]
