"""Inputs → engine → stages: the work behind POST /api/convolve and /api/pipeline.

Runs in the CPU pool (app.limits.run_cpu). Images become float32 in [0, 1], shaped
(N, C, H, W) with C = 1 (gray) or 3 (rgb); nested lists (H, W), (C, H, W) or (N, C, H, W) are
taken as they are. Everything is planned and checked (geometry, limits, budget) before running.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from starlette.responses import Response

from app import render
from app.config import Settings
from app.errors import ApiError
from app.imaging import ImageError, decode_image
from app.kernel_spec import numeric_array
from app.payload import Payload
from app.planner import Step, plan_layers, run_plan
from app.schemas import (
    ConvLayer,
    ConvolveResponse,
    ConvSpec,
    ImageNoteOut,
    InputOptions,
    PipelineResponse,
    PipelineSpec,
    PoolLayer,
    ReluLayer,
    ResizedNote,
    StageOut,
)

PIXEL_SCALE = "[0, 1]"


@dataclass
class Batch:
    """x (N, C, H, W) float32; is_image: decoded from uploads (pixels in [0, 1])."""

    x: np.ndarray
    is_image: bool = False
    resized: list[ResizedNote] = field(default_factory=list)
    notes: list[ImageNoteOut] = field(default_factory=list)


def batch_from_nested(data: Any, settings: Settings, field_name: str = "input") -> Batch:
    """A nested list (H, W) | (C, H, W) | (N, C, H, W) → Batch, within max_input_values."""
    arr = numeric_array(data, field_name, "input values")
    if arr.ndim not in (2, 3, 4):
        raise ApiError(422, "invalid_input_shape",
                       f"{field_name} must be (H, W), (C, H, W) or (N, C, H, W); got {arr.ndim}-D.",
                       f"{field_name} は (H, W)・(C, H, W)・(N, C, H, W) のいずれかに"
                       f"してください。",
                       field=field_name, limit="2..4 dimensions")
    x = arr.reshape((1,) * (4 - arr.ndim) + arr.shape)
    if x.size > settings.max_input_values:
        n = settings.max_input_values
        raise ApiError(422, "input_too_large",
                       f"{field_name} has {x.size:,} values; at most {n:,}.",
                       f"{field_name} の値が {x.size:,} 個あります（上限 {n:,}）。",
                       field=field_name, limit=n)
    if x.shape[1] > settings.max_channels:
        n = settings.max_channels
        raise ApiError(422, "too_many_channels", f"{field_name} has C={x.shape[1]}; at most {n}.",
                       f"{field_name} のチャンネル数 C={x.shape[1]} が上限 {n} を超えています。",
                       field=field_name, limit=n)
    return Batch(np.ascontiguousarray(x))


def batch_from_images(files: Sequence[bytes], opts: InputOptions, settings: Settings) -> Batch:
    """Decoded uploads (each (C, H, W) in [0, 1]) stacked to (N, C, H, W); same size required."""
    arrays, resized, notes = [], [], []
    for i, data in enumerate(files):
        try:
            img = decode_image(data, color=opts.color, max_side=opts.max_side, settings=settings,
                               field="image" if len(files) == 1 else f"image.{i}")
        except ImageError as e:
            raise ApiError(e.status, e.code, e.message_en, e.message_ja, field=e.field,
                           limit=e.limit) from None
        arrays.append(np.asarray(img.array, dtype=np.float32))
        if img.resized_from is not None:
            resized.append(ResizedNote(index=i, original=list(img.resized_from),
                                       resized=list(img.size)))
        notes += [ImageNoteOut(index=i, code=n.code, message_en=n.message_en,
                               message_ja=n.message_ja) for n in img.notes]
    sizes = {a.shape[-2:] for a in arrays}
    if len(sizes) > 1:
        shown = ", ".join(f"{h}×{w}" for h, w in (a.shape[-2:] for a in arrays))
        raise ApiError(422, "batch_shape_mismatch",
                       f"All images of a batch need the same size; got {shown}.",
                       f"バッチの画像はすべて同じサイズにしてください（{shown}）。", field="image")
    return Batch(np.stack(arrays), is_image=True, resized=resized, notes=notes)


def conv_layers(spec: ConvSpec) -> list[ConvLayer | ReluLayer | PoolLayer]:
    """The convolve spec as layers: conv → relu (activation) → pool."""
    conv = ConvLayer(type="conv", **spec.model_dump(include=set(ConvLayer.model_fields) - {"type"}))
    conv = conv.model_copy(update={"kernel": spec.kernel})
    layers: list[ConvLayer | ReluLayer | PoolLayer] = [conv]
    if spec.activation == "relu":
        layers.append(ReluLayer(type="relu"))
    if spec.pool is not None:
        p = spec.pool
        layers.append(PoolLayer(type="pool", mode=p.type, size=p.size, stride=p.stride))
    return layers


def _stages(batch: Batch, steps: Sequence[Step], outs: Sequence[np.ndarray],
            opts: InputOptions, settings: Settings) -> list[StageOut]:
    image, values = batch.is_image and opts.previews, opts.include_values
    maps = settings.max_preview_maps
    stages = [render.stage_out("input", "input", batch.x, image=image, values=values,
                               max_maps=maps)]
    for step, out in zip(steps, outs, strict=True):
        stages.append(render.stage_out(step.name, step.label, out, geometry=step.geometry,
                                       image=image, values=values, max_maps=maps))
    return stages


def _output(final: np.ndarray, settings: Settings) -> tuple[list[Any] | None, str | None]:
    if final.size <= settings.max_output_list:
        return final.tolist(), None
    return None, (f"{final.size:,} values > max_output_list ({settings.max_output_list:,}); "
                  "ask for application/x-npy or set include_values.")


def _check_values_cap(batch: Batch, steps: Sequence[Step], opts: InputOptions,
                      settings: Settings) -> None:
    """include_values: all stages together ≤ max_values_b64 values (checked before running)."""
    if not opts.include_values:
        return
    total = batch.x.size + sum(int(np.prod(s.out_shape)) for s in steps)
    if total > settings.max_values_b64:
        n = settings.max_values_b64
        raise ApiError(422, "values_cap", f"include_values would send {total:,} values; at most "
                       f"{n:,}. Turn it off or send a smaller input.",
                       f"include_values の値が {total:,} 個になります（上限 {n:,}）。",
                       field="spec.include_values", limit=n)


def _binary(media: str, final: np.ndarray, settings: Settings) -> Response:
    if media == render.PNG:
        return render.png_response(final, settings.max_preview_maps)
    return render.npy_response(final)


def run_convolve(batch: Batch, spec: ConvSpec, settings: Settings, models: Any,
                 media: str) -> Response:
    """One conv (+ ReLU, + pooling) → the response in `media` (JSON, PNG or NPY)."""
    steps = plan_layers(conv_layers(spec), batch.x.shape, settings, models, prefix="spec")
    if media != render.JSON:
        return _binary(media, run_plan(batch.x, steps)[-1], settings)
    _check_values_cap(batch, steps, spec, settings)
    outs = run_plan(batch.x, steps)
    conv = steps[0]
    pool = next((s for s in steps if s.name == "pool"), None)
    output, omitted = _output(outs[-1], settings)
    assert conv.kernel is not None and conv.bias is not None and conv.geometry is not None
    body = ConvolveResponse(
        shape=list(outs[-1].shape), geometry=render.geometry_out(conv.geometry),
        pool_geometry=render.geometry_out(pool.geometry) if pool and pool.geometry else None,
        stages=_stages(batch, steps, outs, spec, settings), output=output, output_omitted=omitted,
        kernel=conv.kernel, bias=conv.bias.tolist(),
        pixel_scale=PIXEL_SCALE if batch.is_image else None, resized=batch.resized,
        notes=batch.notes)
    return Response(body.model_dump_json(), media_type=render.JSON)


def run_pipeline(batch: Batch, spec: PipelineSpec, settings: Settings, models: Any,
                 media: str) -> Response:
    """Up to max_pipeline_layers conv / relu / pool layers → every stage."""
    if len(spec.layers) > settings.max_pipeline_layers:
        n = settings.max_pipeline_layers
        raise ApiError(422, "too_many_items", f"spec.layers has {len(spec.layers)} layers; at most "
                       f"{n}.", f"spec.layers の層が {len(spec.layers)} 個あります（上限 {n}）。",
                       field="spec.layers", limit=n)
    steps = plan_layers(spec.layers, batch.x.shape, settings, models, prefix="spec.layers")
    if media != render.JSON:
        return _binary(media, run_plan(batch.x, steps)[-1], settings)
    _check_values_cap(batch, steps, spec, settings)
    outs = run_plan(batch.x, steps)
    output, omitted = _output(outs[-1], settings)
    body = PipelineResponse(
        shape=list(outs[-1].shape), stages=_stages(batch, steps, outs, spec, settings),
        kernels=[s.kernel for s in steps if s.kernel is not None], output=output,
        output_omitted=omitted, pixel_scale=PIXEL_SCALE if batch.is_image else None,
        resized=batch.resized, notes=batch.notes)
    return Response(body.model_dump_json(), media_type=render.JSON)


def batch_from_payload(payload: Payload, settings: Settings) -> Batch:
    """Images (multipart) or the nested list (JSON) as a Batch."""
    if payload.files is not None:
        return batch_from_images(payload.files, payload.spec, settings)
    batch = batch_from_nested(payload.nested, settings)
    opts = payload.spec
    if {"color", "max_side"} & opts.model_fields_set and (opts.color == "rgb" or opts.max_side):
        batch.notes.append(ImageNoteOut(
            index=0, code="image_options_ignored",
            message_en="color and max_side apply to uploaded images; the nested-list input was "
                       "used as it is.",
            message_ja="color と max_side はアップロード画像にだけ使われます。入れ子リストの入力は"
                       "そのまま使いました。"))
    return batch


def convolve_payload(payload: Payload, settings: Settings, models: Any, media: str) -> Response:
    """POST /api/convolve's work, run in the CPU pool."""
    batch = batch_from_payload(payload, settings)
    return run_convolve(batch, payload.spec, settings, models, media)


def pipeline_payload(payload: Payload, settings: Settings, models: Any, media: str) -> Response:
    """POST /api/pipeline's work, run in the CPU pool."""
    batch = batch_from_payload(payload, settings)
    return run_pipeline(batch, payload.spec, settings, models, media)
