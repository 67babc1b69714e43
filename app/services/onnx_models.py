"""The work behind the imported-model routes: describe, prepare an input as stated, predict with
every stage, the filter gallery. Pure functions of an OnnxEntry and arrays (run in run_cpu)."""

from __future__ import annotations

import base64
import re
from typing import Any

import numpy as np

from app.config import Settings
from app.errors import ApiError
from app.imaging.decode import decode_image
from app.imaging.digits import prepare_digit
from app.imaging.fit import resize_chw
from app.imaging.png import png_data_url
from app.imaging.sheet import sheet_png
from app.models.onnx_import.model import OnnxEntry
from app.schemas.models import ModelSummary
from app.schemas.onnx import OnnxLayer, OnnxModelDetail, OnnxPredictResponse, OnnxStage
from app.services.predict import filters_png

SMALL_STAGE = 2048
SIGNED = {"conv", "affine", "batchnorm", "input", "flatten", "reshape", "transpose", "pad",
          "leaky_relu", "tanh", "log_softmax", "clip"}
NORM_RE = re.compile(r"^mean=([-0-9.,e ]+);std=([-0-9.,e ]+)$")
UPLOAD_MAX_SIDE = 1024


def detail(entry: OnnxEntry) -> OnnxModelDetail:
    m, r = entry.model, entry.record
    return OnnxModelDetail(
        id=entry.id, name=str(r.get("name") or m.name), name_ja=r.get("name_ja"),
        source="onnx" if "sha256" in r else "onnx-file",
        input_shape=list(m.input_shape), input_layout=m.input_layout, params=m.param_count(),
        flops=2 * m.macs(), conv_layers=m.conv_layer_names(), labels=entry.labels,
        normalisation=str(r.get("normalisation", "0-1")),
        badge=str(r.get("badge", "proven when it was imported")),
        max_error=r.get("max_error"), layers=[OnnxLayer(**row) for row in m.describe()])


def summary(entry: OnnxEntry) -> ModelSummary:
    """The GET /api/models row of an imported model (no accuracy, no curve)."""
    m = entry.model
    name = str(entry.record.get("name") or m.name or entry.id)  # the upload's own name
    return ModelSummary(id=entry.id, name=name, name_ja=entry.record.get("name_ja"),
                        input_shape=list(m.input_shape),
                        accuracy=None, params=m.param_count(), conv_layers=m.conv_layer_names(),
                        curve_url=None)


def parse_normalisation(text: str, channels: int, side: tuple[int, int]) -> dict[str, Any]:
    """"0-1" | "0-255" | "mnist" (a digit, 1×28×28 models) | "mean=a,b,c;std=d,e,f" →
    {"kind", "mean", "std"}; 422 onnx_normalisation otherwise."""
    text = text.strip().replace(" ", "")
    if text in ("0-1", "0-255"):
        return {"kind": text}
    if text == "mnist":
        if (channels, *side) != (1, 28, 28):
            raise ApiError("onnx_normalisation", field="normalisation", limit="0-1",
                           value="mnist (needs a 1×28×28 model)")
        return {"kind": "mnist"}
    m = NORM_RE.match(text)
    try:
        mean = [float(v) for v in m.group(1).split(",")] if m else []
        std = [float(v) for v in m.group(2).split(",")] if m else []
    except ValueError:
        mean = std = []
    if not m or len(mean) not in (1, channels) or len(std) not in (1, channels) or \
            min(std, default=0) <= 0:
        raise ApiError("onnx_normalisation", field="normalisation",
                       limit="0-1, 0-255, mnist, mean=…;std=…", value=text[:80])
    return {"kind": "mean-std", "mean": mean, "std": std}


def prepare_upload(entry: OnnxEntry, data: bytes, norm_text: str,
                   settings: Settings) -> tuple[np.ndarray, dict[str, Any]]:
    """Image → the model's (C, H, W): decoded gray or RGB by C, resized to (H, W), normalised."""
    C, H, W = entry.model.input_shape
    norm = parse_normalisation(norm_text, C, (H, W))
    img = decode_image(data, color="gray" if C == 1 else "rgb", max_side=UPLOAD_MAX_SIDE,
                       settings=settings)
    prep: dict[str, Any] = {"source": "upload", "decoded": list(img.array.shape),
                            "color": "gray" if C == 1 else "rgb", "normalisation": norm}
    if C not in (1, 3):
        raise ApiError("onnx_input_shape", field="image",
                       detail=f"an image cannot fill {C} channels; send JSON input")
    if norm["kind"] == "mnist":
        d = prepare_digit(img.array[0])
        prep.update(inverted=d.inverted, empty=d.empty, resized_to=[28, 28])
        return d.image[None].astype(np.float32), prep
    x = resize_chw(img.array, H, W)
    prep["resized_to"] = [H, W]
    if norm["kind"] == "0-255":
        x = x * np.float32(255)
    elif norm["kind"] == "mean-std":
        mean = np.asarray(norm["mean"], np.float32).reshape(-1, 1, 1)
        std = np.asarray(norm["std"], np.float32).reshape(-1, 1, 1)
        x = (x - mean) / std
    return x.astype(np.float32), prep


def json_input(entry: OnnxEntry, values: list[Any]) -> tuple[np.ndarray, dict[str, Any]]:
    """JSON nested lists in the model's (C, H, W), or (H, W) for one channel; used as is."""
    try:
        x = np.asarray(values, np.float32)
    except (ValueError, TypeError):
        raise ApiError("onnx_input_shape", field="input",
                       detail="input must be nested lists of numbers") from None
    shape = entry.model.input_shape
    if x.shape != shape and not (shape[0] == 1 and x.shape == shape[1:]):
        raise ApiError("onnx_input_shape", field="input",
                       detail=f"shape {list(x.shape)}, expected {list(shape)}")
    if not np.isfinite(x).all():
        raise ApiError("onnx_input_shape", field="input", detail="values must be finite")
    return x.reshape(shape), {"source": "json", "normalisation": {"kind": "as sent"}}


def stage_grid(maps: np.ndarray, signed: bool, limit: int) -> str:
    """The first `limit` channels of (C, H, W) as one palette PNG data URL (imaging.sheet)."""
    png = sheet_png(maps[:limit], signed)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def input_preview(x: np.ndarray) -> str | None:
    """(C, H, W) prepared input → a PNG of what the network sees, gray (C = 1) or RGB (C = 3),
    stretched from its min to its max (normalised values are not pixel values); else None."""
    if x.shape[0] not in (1, 3):
        return None
    lo, hi = float(x.min()), float(x.max())
    u8 = np.rint((x - lo) * (255 / (hi - lo)) if hi > lo else np.zeros_like(x))
    u8 = np.clip(u8, 0, 255).astype(np.uint8)
    return png_data_url(u8[0] if x.shape[0] == 1 else np.moveaxis(u8, 0, -1))


def predict(entry: OnnxEntry, x: np.ndarray, prep: dict[str, Any], *, previews: bool,
            max_previews: int) -> OnnxPredictResponse:
    """x (C, H, W) → label, probabilities and every stage."""
    with np.errstate(over="ignore", invalid="ignore"):
        stages = entry.model.forward_stages(x[None])
    bad = next((s.name for s in stages if not np.isfinite(s.data).all()), None)
    if bad is not None:
        raise ApiError("non_finite_output", field="model_id", limit=bad, model_id=entry.id)
    probs = entry.model.probabilities(stages[-1].data)[0]
    label = int(probs.argmax())
    labels = entry.labels
    out = []
    for s in stages:
        d = s.data[0]
        urls = None
        if previews and d.ndim == 3:
            urls = [stage_grid(d, s.kind in SIGNED, max_previews)]
        out.append(OnnxStage(name=s.name, kind=s.kind, shape=list(d.shape), min=float(d.min()),
                             max=float(d.max()), mean=float(d.mean(dtype=np.float64)),
                             scale="diverging" if s.kind in SIGNED else "sequential",
                             tiles=min(d.shape[0], max_previews) if urls else 0,
                             previews=urls, values=d.tolist() if d.size <= SMALL_STAGE else None))
    return OnnxPredictResponse(model=entry.id, label=label,
                               label_name=labels[label] if label < len(labels) else str(label),
                               probabilities=probs.tolist(), preparation=prep, stages=out,
                               preview=input_preview(x) if previews else None)


def filters(entry: OnnxEntry, layer: str) -> dict[str, Any]:
    """A conv layer's weights (FN, C/group, FH, FW), bias and the gallery PNG as a data URL."""
    try:
        W, b = entry.model.conv_weights(layer)
    except KeyError:
        raise ApiError("unknown_layer", variant="route", field="layer",
                       limit=", ".join(entry.model.conv_layer_names()), model=entry.id,
                       layer=layer) from None
    url = "data:image/png;base64," + base64.b64encode(filters_png(W)).decode("ascii")
    return {"model": entry.id, "layer": layer, "shape": list(W.shape), "weights": W.tolist(),
            "bias": b.tolist(), "min": float(W.min()), "max": float(W.max()), "grid": url}
