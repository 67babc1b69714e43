"""Inputs → engine → stages: the work behind POST /api/convolve and /api/pipeline.

Runs in the CPU pool (app.api.capacity.run_cpu). Images become float32 in [0, 1], shaped
(N, C, H, W) with C = 1 (gray) or 3 (rgb); nested lists (H, W), (C, H, W) or (N, C, H, W) are
taken as they are. Everything is planned and checked (geometry, limits, budget) before running.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app import cancel
from app.config import Settings
from app.errors import ApiError, note_text
from app.imaging.budget import check_request
from app.imaging.decode import decode_image
from app.imaging.probe import probe_image_cost
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
from app.services.kernels import numeric_array
from app.services.plan import Shape, Step, plan_layers, run_plan
from app.services.stages import geometry_out, stage_out

PIXEL_SCALE = "[0, 1]"


@dataclass
class Payload:
    """What a request carries: a nested list or image bytes, and the validated spec."""

    spec: Any
    nested: Any = None  # a nested list, or the ndarray it made (app.api.json_guard)
    files: list[bytes] | None = None
    image_ref: str | None = None  # the upload's key in the image cache (app/services/image_cache)


@dataclass
class Outcome:
    """final: the last stage (N, FN, OH, OW) float32; body: the JSON response (detailed runs)."""

    final: np.ndarray
    body: ConvolveResponse | PipelineResponse | None = None


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
        raise ApiError("invalid_input_shape", field=field_name, limit="2..4 dimensions",
                       ndim=arr.ndim)
    x = arr.reshape((1,) * (4 - arr.ndim) + arr.shape)
    if x.size > settings.max_input_values:
        raise ApiError("input_too_large", field=field_name, limit=settings.max_input_values,
                       count=x.size)
    if x.shape[1] > settings.max_channels:
        raise ApiError("too_many_channels", field=field_name, limit=settings.max_channels,
                       channels=x.shape[1])
    return Batch(np.ascontiguousarray(x))


def _mismatch(sizes: Sequence[tuple[int, int]]) -> ApiError:
    shown = ", ".join(f"{h}×{w}" for h, w in sizes)
    return ApiError("batch_shape_mismatch", field="image", sizes=shown)


def _field(files: Sequence[bytes], i: int) -> str:
    return "image" if len(files) == 1 else f"image.{i}"


def probe_images(files: Sequence[bytes], opts: InputOptions, settings: Settings) -> Shape:
    """(N, C, H, W) of the batch from the headers alone (nothing decoded); same size required;
    the decode budget of the whole request checked (app/imaging/budget.check_request)."""
    shapes, costs = [], []
    for i, data in enumerate(files):
        shape, cost = probe_image_cost(data, color=opts.color, max_side=opts.max_side,
                                       settings=settings, field=_field(files, i))
        shapes.append(shape)
        costs.append(cost)
    check_request(costs, settings)
    if len(set(shapes)) > 1:
        raise _mismatch([(h, w) for _, h, w in shapes])
    return (len(files), *shapes[0])


def batch_from_images(files: Sequence[bytes], opts: InputOptions, settings: Settings,
                      shape: Shape | None = None) -> Batch:
    """Uploads decoded one by one into a preallocated (N, C, H, W) float32 array in [0, 1].

    shape: the probed batch shape (probe_images) when already known.
    """
    N, C, H, W = shape or probe_images(files, opts, settings)
    x: np.ndarray | None = None
    resized, notes = [], []
    for i, data in enumerate(files):
        cancel.check()  # a timed-out request stops between images
        img = decode_image(data, color=opts.color, max_side=opts.max_side, settings=settings,
                           field=_field(files, i))  # ImageError is an ApiError
        if x is None:  # the header's guess can miss an EXIF block stored after a PNG's pixels
            x = np.empty((N, *img.array.shape), np.float32)
        if img.array.shape != x.shape[1:]:
            raise _mismatch([x.shape[-2:], img.size])
        x[i] = img.array
        if img.resized_from is not None:
            resized.append(ResizedNote(index=i, original=list(img.resized_from),
                                       resized=list(img.size)))
        notes += [ImageNoteOut(index=i, code=n.code, message_en=n.message_en,
                               message_ja=n.message_ja) for n in img.notes]
    assert x is not None
    return Batch(x, is_image=True, resized=resized, notes=notes)


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
    image, fmt = batch.is_image and opts.previews, opts.values_format
    maps = settings.max_preview_maps

    def values(name: str) -> bool:
        return opts.include_values and (opts.value_stages is None or name in opts.value_stages)

    stages = [stage_out("input", "input", batch.x, image=image, values=values("input"),
                        max_maps=maps, values_format=fmt)]
    for step, out in zip(steps, outs, strict=True):
        stages.append(stage_out(step.name, step.label, out, geometry=step.geometry,
                                image=image, values=values(step.name), max_maps=maps,
                                values_format=fmt))
    return stages


def _output(final: np.ndarray, settings: Settings) -> tuple[list[Any] | None, str | None]:
    if final.size <= settings.max_output_list:
        return final.tolist(), None
    return None, (f"{final.size:,} values > max_output_list ({settings.max_output_list:,}); "
                  "ask for application/x-npy or set include_values.")


def _check_values_cap(shape: Shape, steps: Sequence[Step], opts: InputOptions,
                      settings: Settings) -> None:
    """include_values: all stages together ≤ max_values_b64 values (checked before decoding)."""
    if not opts.include_values:
        return
    total = int(np.prod(shape)) + sum(int(np.prod(s.out_shape)) for s in steps)
    if total > settings.max_values_b64:
        raise ApiError("values_cap", field="spec.include_values", limit=settings.max_values_b64,
                       count=total)


def run_convolve(batch: Batch, steps: Sequence[Step], spec: ConvSpec, settings: Settings,
                 detailed: bool) -> Outcome:
    """One planned conv (+ ReLU, + pooling) → the final maps, and the JSON body if detailed."""
    outs = run_plan(batch.x, steps)
    if not detailed:
        return Outcome(outs[-1])
    conv = steps[0]
    pool = next((s for s in steps if s.name == "pool"), None)
    output, omitted = _output(outs[-1], settings) if spec.include_output else (None, None)
    assert conv.kernel is not None and conv.bias is not None and conv.geometry is not None
    body = ConvolveResponse(
        shape=list(outs[-1].shape), geometry=geometry_out(conv.geometry),
        pool_geometry=geometry_out(pool.geometry) if pool and pool.geometry else None,
        stages=_stages(batch, steps, outs, spec, settings), output=output, output_omitted=omitted,
        kernel=conv.kernel, bias=conv.bias.tolist(),
        pixel_scale=PIXEL_SCALE if batch.is_image else None, resized=batch.resized,
        notes=batch.notes)
    return Outcome(outs[-1], body)


def run_pipeline(batch: Batch, steps: Sequence[Step], spec: PipelineSpec, settings: Settings,
                 detailed: bool) -> Outcome:
    """Up to max_pipeline_layers planned conv / relu / pool layers → every stage."""
    outs = run_plan(batch.x, steps)
    if not detailed:
        return Outcome(outs[-1])
    output, omitted = _output(outs[-1], settings)
    body = PipelineResponse(
        shape=list(outs[-1].shape), stages=_stages(batch, steps, outs, spec, settings),
        kernels=[s.kernel for s in steps if s.kernel is not None], output=output,
        output_omitted=omitted, pixel_scale=PIXEL_SCALE if batch.is_image else None,
        resized=batch.resized, notes=batch.notes)
    return Outcome(outs[-1], body)


def batch_from_payload(payload: Payload, settings: Settings) -> Batch:
    """Images (multipart) or the nested list (JSON) as a Batch."""
    if payload.files is not None:
        return batch_from_images(payload.files, payload.spec, settings)
    batch = batch_from_nested(payload.nested, settings)
    opts = payload.spec
    if {"color", "max_side"} & opts.model_fields_set and (opts.color == "rgb" or opts.max_side):
        en, ja = note_text("image_options_ignored")
        batch.notes.append(ImageNoteOut(index=0, code="image_options_ignored", message_en=en,
                                        message_ja=ja))
    return batch


def prepare(payload: Payload, layers: Sequence[ConvLayer | ReluLayer | PoolLayer], prefix: str,
            settings: Settings, models: Any, detailed: bool) -> tuple[Batch, list[Step]]:
    """Plan and check every limit on the (probed) shape, and only then decode the images."""
    def plan(shape: Shape) -> list[Step]:
        steps = plan_layers(layers, shape, settings, models, prefix=prefix)
        if detailed:
            _check_values_cap(shape, steps, payload.spec, settings)
        return steps

    if payload.files is None:
        batch = batch_from_payload(payload, settings)
        return batch, plan(batch.x.shape)
    shape = probe_images(payload.files, payload.spec, settings)
    steps = plan(shape)  # 422 here costs nothing: no pixel has been decoded
    batch = batch_from_images(payload.files, payload.spec, settings, shape)
    return batch, (steps if batch.x.shape == shape else plan(batch.x.shape))


def convolve_payload(payload: Payload, settings: Settings, models: Any,
                     detailed: bool = True) -> Outcome:
    """POST /api/convolve's work, run in the CPU pool. detailed: build the JSON body."""
    batch, steps = prepare(payload, conv_layers(payload.spec), "spec", settings, models, detailed)
    outcome = run_convolve(batch, steps, payload.spec, settings, detailed)
    if isinstance(outcome.body, ConvolveResponse):
        outcome.body.image_ref = payload.image_ref
    return outcome


def pipeline_payload(payload: Payload, settings: Settings, models: Any,
                     detailed: bool = True) -> Outcome:
    """POST /api/pipeline's work, run in the CPU pool. detailed: build the JSON body."""
    batch, steps = prepare(payload, payload.spec.layers, "spec.layers", settings, models,
                           detailed)
    return run_pipeline(batch, steps, payload.spec, settings, detailed)
