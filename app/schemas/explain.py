"""Request and response models of POST /api/models/{id}/explain and POST /api/backward."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Value = Annotated[float, Field(ge=-1e6, le=1e6)]  # finite: NaN and ±∞ fail the bounds
Row = Annotated[list[Value], Field(min_length=1, max_length=256)]
Plane = Annotated[list[Row], Field(min_length=1, max_length=256)]
Planes = Annotated[list[Plane], Field(min_length=1, max_length=4)]


class ExplainRequest(BaseModel):
    """One input of the model and what to explain about it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"input": [[0.0] * 28] * 28, "method": "gradcam", "layer": "conv1"}]})
    input: Plane | Planes = Field(description="The model's input: (H, W) or (C, H, W) values, "
                                               "as the model takes them (28×28 in [0, 1]).")
    method: Literal["saliency", "gradcam", "occlusion", "maximize"]
    target: int | None = Field(None, ge=0, le=999, description="Class c (default: predicted).")
    layer: str | None = Field(None, max_length=64, description="Conv layer for gradcam "
                              "(default the last) or maximize (the first).")
    index: int = Field(0, ge=0, le=1023, description="maximize: the filter k of `layer`.")
    patch: int = Field(7, ge=1, le=64, description="occlusion: patch side in pixels.")
    stride: int = Field(3, ge=1, le=64, description="occlusion: step between patches.")
    fill: float = Field(0.5, ge=0.0, le=1.0, description="occlusion: the patch's gray value.")
    steps: int = Field(64, ge=1, le=10_000, description="maximize: gradient steps (at most "
                                                         "the explain_max_steps setting, 200).")
    lr: float = Field(0.05, gt=0.0, le=1.0, description="maximize: step size per normalised "
                                                         "gradient.")
    l2: float = Field(1e-3, ge=0.0, le=1.0, description="maximize: λ of the L2 penalty λ‖x‖².")
    jitter: int = Field(1, ge=0, le=4, description="maximize: random shift per step (pixels).")
    blur_every: int = Field(4, ge=0, le=100, description="maximize: 3×3 blur every n steps "
                                                         "(0: never).")
    channels: int | None = Field(None, ge=1, le=1024, description=(
        "gradcam: send `activations` and `terms` for only the n channels of largest |α_k| "
        "(listed in `channels`, in that order) instead of all K; α_k, the weighted sum and the "
        "map stay complete. The page asks for 8: a fraction of the bytes."))


class ExplainStep(BaseModel):
    name: str = Field(description="score, gradient, saliency, alpha, activations, terms, "
                                  "weighted_sum, relu, occluded_scores, drop, objective, ...")
    formula: str
    values: Any = Field(description="A number or nested lists.")


class ExplainResponse(BaseModel):
    method: str
    model: str
    target: int = Field(description="The class c explained.")
    predicted: int
    scores: list[float] = Field(description="Class scores y before softmax.")
    shape: list[int] = Field(description="Shape of `map`: (H, W) or (C, H, W).")
    map: list[Any] = Field(description="saliency |∂y_c/∂x| (input size); gradcam "
                                       "ReLU(Σ α_k A^k) (the layer's size); occlusion the score "
                                       "drop per patch position; maximize the image x*.")
    steps: list[ExplainStep]
    layer: str | None = None
    index: int | None = None
    overlay: list[Any] | None = Field(None, description="gradcam: the map upsampled "
                                                        "(bilinear) to the input size.")
    channels: list[int] | None = Field(None, description="gradcam: the channels k whose A^k "
                                       "and α_k·A^k are in `steps` (all K unless asked fewer).")
    patch: int | None = None
    stride: int | None = None
    fill: float | None = None
    positions: int | None = None
    patches: list[dict[str, Any]] | None = Field(None, description="maximize: the top-9 sample "
                                                 "digit patches for the same filter: sample, "
                                                 "label, row, col, activation, box, patch.")


Small = Annotated[list[Annotated[list[Value], Field(min_length=1, max_length=12)]],
                  Field(min_length=1, max_length=12)]
Kernel = Annotated[list[Annotated[list[Value], Field(min_length=1, max_length=5)]],
                   Field(min_length=1, max_length=5)]


class BackwardRequest(BaseModel):
    """The lab's conv layer on a small input, and the gradient arriving from the next stage."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"x": [[[1, 2, 0, 1], [0, 1, 3, 2], [2, 0, 1, 0], [1, 2, 0, 3]]],
         "W": [[[[1, 0], [0, -1]]]], "b": [0.5], "stride": 1, "pad": 0, "loss": "sum"}]})
    x: Annotated[list[Small], Field(min_length=1, max_length=3)] = Field(
        description="Input (C, H, W), C ≤ 3, H, W ≤ 12.")
    W: Annotated[list[Annotated[list[Kernel], Field(min_length=1, max_length=3)]],
                 Field(min_length=1, max_length=4)] = Field(
        description="Filters (FN, C, FH, FW), FN ≤ 4, FH, FW ≤ 5.")
    b: Annotated[list[Value], Field(min_length=1, max_length=4)] | None = Field(
        None, description="Bias (FN,); default zeros.")
    stride: int = Field(1, ge=1, le=3)
    pad: int = Field(0, ge=0, le=2)
    dout: Annotated[list[Small], Field(min_length=1, max_length=4)] | None = Field(
        None, description="∂L/∂out (FN, OH, OW) from the next stage; default from `loss`.")
    loss: Literal["sum", "square"] = Field("sum", description="Without dout: L = Σ out "
                                           "(dout = 1) or L = ½ Σ out² (dout = out).")


class BackwardResponse(BaseModel):
    """Every product of the book's Convolution.backward (7.4.3), and the numerical check."""

    shape: dict[str, list[int]] = Field(description="Shapes of x, W, out, col, dout.")
    col: list[list[float]] = Field(description="im2col(x): (OH·OW, C·FH·FW).")
    col_W: list[list[float]] = Field(description="W reshaped: (C·FH·FW, FN).")  # noqa: N815
    out: list[Any] = Field(description="col·col_W + b as (FN, OH, OW).")
    dout: list[list[float]] = Field(description="∂L/∂out as a matrix (OH·OW, FN).")
    dW: list[Any] = Field(description="colᵀ·dout reshaped to (FN, C, FH, FW).")  # noqa: N815
    db: list[float] = Field(description="Σ dout over the positions (FN,).")
    dcol: list[list[float]] = Field(description="dout·col_Wᵀ: (OH·OW, C·FH·FW).")
    dx: list[Any] = Field(description="col2im(dcol): (C, H, W).")
    coverage: list[list[int]] = Field(description="How many windows cover each input pixel "
                                                  "(col2im of ones), (H, W).")
    numerical: dict[str, Any] = Field(description="Central differences (h = 1e-4, float64) of "
                                                  "L for dW, db, dx and the max |error| of each.")
