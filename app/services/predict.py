"""The work behind /api/models: summaries, filter galleries, and predictions with every stage.

Pure functions of a ModelEntry / Network and arrays; the routes run the heavy ones in run_cpu.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.config import Settings
from app.engine.network import Network, Stage
from app.errors import ApiError
from app.imaging.colormap import colorize
from app.imaging.decode import decode_image
from app.imaging.digits import prepare_digit
from app.imaging.png import encode_png, grid, png_data_url
from app.models.store import ModelEntry
from app.schemas.models import (
    FiltersResponse,
    LayerInfo,
    ModelDetail,
    ModelStageOut,
    ModelSummary,
    PredictResponse,
    Preparation,
    PreparedInput,
)

UPLOAD_MAX_SIDE = 512  # uploads are shrunk to this long side before preparation (reported)
SMALL_STAGE = 2048  # a stage with at most this many values (one image) also returns `values`
FILTER_TILE = 8  # each filter weight becomes an 8×8 block in the gallery PNG


@dataclass(frozen=True)
class PredictBody:
    """Either raw upload bytes (prepared later, in the CPU pool) or a ready 28×28 input."""

    upload: bytes | None
    input: np.ndarray | None
    previews: bool


def json_preparation() -> Preparation:
    """A JSON input is used as it is: nothing changed."""
    return Preparation(source="json", inverted=False, empty=False, bbox=None, scale=1.0,
                       offset=[0, 0], resized_from=None)


def prepare_colour(data: bytes, settings: Settings, side: int) -> tuple[np.ndarray, Preparation]:
    """Image bytes → RGB with the long side `side` → (3, side, side), the short side centred
    and padded with the image's mean colour (said in `scale` and `offset`)."""
    img = decode_image(data, color="rgb", max_side=side, settings=settings)
    a = img.array
    _, h, w = a.shape
    top, left = (side - h) // 2, (side - w) // 2
    out = np.empty((3, side, side), np.float32)
    out[:] = a.mean(axis=(1, 2), dtype=np.float64)[:, None, None]
    out[:, top:top + h, left:left + w] = a
    src = img.resized_from or (h, w)
    return out, Preparation(source="upload", inverted=False, empty=False, bbox=None,
                            scale=max(h, w) / max(src), offset=[top, left],
                            resized_from=list(img.resized_from) if img.resized_from else None)


def prepare_upload(data: bytes, settings: Settings) -> tuple[np.ndarray, Preparation]:
    """Image bytes → decoded gray → MNIST-style (28, 28) input and what was done (CPU work)."""
    img = decode_image(data, color="gray", max_side=UPLOAD_MAX_SIDE, settings=settings)
    p = prepare_digit(img.array[0])
    return p.image, Preparation(source="upload", inverted=p.inverted, empty=p.empty,
                                bbox=list(p.bbox) if p.bbox else None, scale=p.scale,
                                offset=list(p.offset),
                                resized_from=list(img.resized_from) if img.resized_from else None)


def summary(entry: ModelEntry) -> ModelSummary:
    net = entry.network
    return ModelSummary(id=entry.id, name=entry.name, input_shape=list(net.input_shape),
                        accuracy=entry.accuracy, params=net.param_count(),
                        conv_layers=net.conv_layer_names(),
                        curve_url=f"/api/models/{entry.id}/curve.png" if entry.curve else None)


def detail(entry: ModelEntry) -> ModelDetail:
    layers = [LayerInfo(**row) for row in entry.network.describe()]
    return ModelDetail(**summary(entry).model_dump(), layers=layers, card=entry.card)


def _filter_tile(kernel: np.ndarray) -> np.ndarray:
    """(FH, FW) → uint8 RGB tile, scaled to its own min..max, gray_r (largest weight black)."""
    lo, hi = float(kernel.min()), float(kernel.max())
    t = (kernel - lo) / (hi - lo) if hi > lo else np.zeros_like(kernel)
    gray = np.floor((1.0 - t) * 255 + 0.5).astype(np.uint8)
    gray = np.repeat(np.repeat(gray, FILTER_TILE, axis=0), FILTER_TILE, axis=1)
    return np.stack([gray] * 3, axis=-1)


def _rgb_tile(filt: np.ndarray) -> np.ndarray:
    """(3, FH, FW) → uint8 RGB tile: the three kernels as one colour image, scaled together to
    the filter's min..max (a red vertical edge detector looks red and vertical)."""
    lo, hi = float(filt.min()), float(filt.max())
    t = (filt - lo) / (hi - lo) if hi > lo else np.zeros_like(filt)
    rgb = np.floor(np.moveaxis(t, 0, -1) * 255 + 0.5).astype(np.uint8)
    return np.repeat(np.repeat(rgb, FILTER_TILE, axis=0), FILTER_TILE, axis=1)


def filters_png(weights: np.ndarray) -> bytes:
    """(FN, C, FH, FW) → PNG of the FN filters in a grid (the book's visualize_filter): channel 0
    in gray, or with C = 3 the RGB filter as one colour tile."""
    tile = _rgb_tile if weights.shape[1] == 3 else (lambda w: _filter_tile(w[0]))
    return encode_png(grid([tile(w) for w in weights], gap=FILTER_TILE // 2))


def filters(entry: ModelEntry, layer: str) -> FiltersResponse:
    """The weights of conv layer `layer` as JSON values plus the gallery PNG (data URL)."""
    W = entry.network.conv_weights(layer)
    b = entry.network.params[f"{layer}.b"]
    url = "data:image/png;base64," + base64.b64encode(filters_png(W)).decode("ascii")
    return FiltersResponse(model=entry.id, layer=layer, shape=list(W.shape),
                           weights=W.tolist(), bias=b.tolist(), min=float(W.min()),
                           max=float(W.max()), grid=url)


def _scale(kind: str) -> str:
    """Colour scale of a stage's previews: the input in gray (0..1), signed outputs (conv,
    affine) diverging around 0, non-negative ones (relu, pool, softmax) sequential."""
    if kind == "input":
        return "gray"
    return "diverging" if kind in ("conv", "affine") else "sequential"


def _previews(maps: np.ndarray, kind: str, limit: int) -> list[str]:
    """(C, H, W) → PNG data URLs of the first `limit` channels, all on the stage's range:
    gray [0, 1]; diverging [−m, m] with m = max |v|; sequential [min(0, min), max]."""
    scale = _scale(kind)
    lo, hi = min(0.0, float(maps.min())), float(maps.max())
    if scale == "gray":
        lo, hi = 0.0, 1.0
    elif scale == "diverging":
        hi = max(abs(lo), abs(hi))
        lo = -hi
    return [png_data_url(colorize(c, scale, vmin=lo, vmax=hi)) for c in maps[:limit]]  # type: ignore[arg-type]


def stage_out(stage: Stage, *, previews: bool, max_previews: int) -> ModelStageOut:
    """One Stage (batch of one) → the response entry: stats, previews, values when small."""
    data = stage.data[0]
    maps = data.ndim == 3
    urls = _previews(data, stage.kind, max_previews) if previews and maps else None
    values: Any = data.tolist() if data.size <= SMALL_STAGE else None
    return ModelStageOut(name=stage.name, kind=stage.kind, shape=list(data.shape),  # type: ignore[arg-type]
                         min=float(data.min()), max=float(data.max()),
                         mean=float(data.mean(dtype=np.float64)),
                         previews=urls, channels_shown=len(urls) if urls else 0,
                         scale=_scale(stage.kind), values=values)  # type: ignore[arg-type]


def _preview(x: np.ndarray) -> str:
    """(H, W) gray or (3, H, W) RGB in [0, 1] → PNG data URL."""
    if x.ndim == 3:
        return png_data_url(np.clip(np.rint(np.moveaxis(x, 0, -1) * 255), 0, 255)
                            .astype(np.uint8))
    return png_data_url(colorize(x, "gray", vmin=0, vmax=1))


def predict(net: Network, x: np.ndarray, prep: Preparation, *, previews: bool = True,
            max_previews: int = 64) -> PredictResponse:
    """x (28, 28) — or (C, H, W) for a colour model — in [0, 1] → label, probabilities and every
    stage (input … softmax). 422 model_input_mismatch when the model takes another shape; 422
    non_finite_output when a stage overflows to ±inf/NaN (the response has only finite numbers)."""
    chw = x[None] if x.ndim == 2 else x
    if net.input_shape != chw.shape:
        shape = "×".join(map(str, net.input_shape))
        raise ApiError("model_input_mismatch", field="model_id", limit="x".join(
            map(str, net.input_shape)), model_id=net.id, shape=shape,
            given="×".join(map(str, chw.shape)))
    with np.errstate(over="ignore", invalid="ignore"):  # reported as the 422 below
        stages = net.forward_stages(chw[None].astype(np.float32))
    bad = next((s.name for s in stages if not np.isfinite(s.data).all()), None)
    if bad is not None:
        raise ApiError("non_finite_output", field="model_id", limit=bad, model_id=net.id)
    probs = stages[-1].data[0]
    preview = _preview(x)
    prepared = PreparedInput(values=x.tolist(), preview=preview, preparation=prep)
    return PredictResponse(model=net.id, label=int(probs.argmax()), probabilities=probs.tolist(),
                           input=prepared,
                           stages=[stage_out(s, previews=previews, max_previews=max_previews)
                                   for s in stages])


def predict_body(net: Network, body: PredictBody, settings: Settings) -> PredictResponse:
    """Prepare the body's input (an upload the MNIST way; JSON as it is) and predict (CPU work)."""
    if body.upload is not None and net.input_shape[0] == 3:
        x, prep = prepare_colour(body.upload, settings, net.input_shape[2])
    elif body.upload is not None:
        x, prep = prepare_upload(body.upload, settings)
    else:
        assert body.input is not None
        x, prep = body.input, json_preparation()
    return predict(net, x, prep, previews=body.previews, max_previews=settings.max_preview_maps)
