"""Proof of equality: the engine and onnx.reference.ReferenceEvaluator run the same probe
input, and every step's output is compared with the reference's tensor of the same name."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from onnx import ModelProto
from onnx.reference import ReferenceEvaluator

from app.errors import ApiError

from .model import ImportedModel

PROBE_SEED = 0


@dataclass(frozen=True)
class Match:
    """max_error: the largest |engine − reference| over every step, relative to
    1 + max |reference| of its tensor; worst: the step where it is."""

    max_error: float
    worst: str
    layers: int

    def badge(self) -> str:
        return f"matches the ONNX reference to {self.max_error:.1e} on every layer"


def probe(model: ImportedModel) -> np.ndarray:
    """A deterministic (1, C, H, W) input, uniform in [0, 1)."""
    rng = np.random.default_rng(PROBE_SEED)
    return rng.random((1, *model.input_shape), dtype=np.float32)


def verify(proto: ModelProto, model: ImportedModel, tolerance: float) -> Match:
    """Compare every step; ApiError onnx_mismatch naming the first step beyond tolerance."""
    x = probe(model)
    feed = x.transpose(0, 2, 3, 1) if model.input_layout == "NHWC" else x
    ref = ReferenceEvaluator(proto).run(None, {model.input_name: feed}, intermediate=True)
    assert isinstance(ref, dict)
    stages = model.forward_stages(x)[1:]
    worst, worst_name = 0.0, ""
    for step, stage in zip(model.steps, stages, strict=True):
        r = np.asarray(ref[step.tensor], np.float64)
        e = np.asarray(stage.data, np.float64)
        if r.size != e.size:
            raise ApiError("onnx_mismatch", variant="shape", field="file", layer=step.name,
                           node=step.node, shape=str(list(e.shape)), ref=str(list(r.shape)))
        err = float(np.abs(e.reshape(-1) - r.reshape(-1)).max(initial=0.0)) / \
            (1.0 + float(np.abs(r).max(initial=0.0)))
        if not np.isfinite(err) or err > tolerance:
            raise ApiError("onnx_mismatch", field="file", limit=tolerance, layer=step.name,
                           node=step.node, error=f"{err:.2e}")
        if err >= worst:
            worst, worst_name = err, step.name
    return Match(worst, worst_name, len(stages))
