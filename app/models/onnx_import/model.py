"""An imported ONNX model as a chain of engine steps: shapes, parameters (as formulas), FLOPs
per layer, and the forward pass with every stage, like the shipped Network."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.engine.activations import softmax
from app.engine.network import Stage

Shape = tuple[int, ...]


@dataclass
class Step:
    """One ONNX node on the engine: `make()` builds a fresh layer object (forward(x));
    out_shape without N; params by name; formula like "16·3·5·5 + 16 = 1216"; macs of one image."""

    name: str
    kind: str
    op: str
    node: str
    tensor: str
    make: Callable[[], Any]
    out_shape: Shape
    params: dict[str, np.ndarray] = field(default_factory=dict)
    formula: str = "0"
    macs: int = 0
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def param_count(self) -> int:
        return int(sum(v.size for v in self.params.values()))


@dataclass
class ImportedModel:
    """input_shape (C, H, W) as the engine sees it; input_layout NCHW or NHWC (the ONNX input
    then is (N, H, W, C) and its leading Transpose is folded away)."""

    name: str
    input_name: str
    input_shape: tuple[int, int, int]
    input_layout: str
    steps: list[Step]
    meta: dict[str, Any] = field(default_factory=dict)
    id: str = ""

    # ---- the forward path ---------------------------------------------------------------------
    def batch(self, x: np.ndarray) -> np.ndarray:
        """(H, W) for one channel, (C, H, W) or (N, C, H, W) → float32 (N, C, H, W); ValueError
        naming the expected shape otherwise."""
        x = np.asarray(x, np.float32)
        if x.ndim == 2 and self.input_shape[0] == 1:
            x = x[None]
        if x.ndim == 3:
            x = x[None]
        if x.ndim != 4 or x.shape[1:] != self.input_shape:
            raise ValueError(f"input shape {list(x.shape)} does not fit: expected "
                             f"{list(self.input_shape)}")
        return x

    def forward_stages(self, x: np.ndarray) -> list[Stage]:
        """Every step's output, input first; each Stage.data keeps the N axis."""
        out = self.batch(x)
        stages = [Stage("input", "input", out)]
        for step in self.steps:
            out = step.make().forward(out)
            stages.append(Stage(step.name, step.kind, out))
        return stages

    def probabilities(self, out: np.ndarray) -> np.ndarray:
        """(N, M) class probabilities from the last output: as is after Softmax, exp after
        LogSoftmax, else the softmax of the scores."""
        out = out.reshape(out.shape[0], -1)
        last = self.steps[-1].kind if self.steps else ""
        if last == "softmax":
            return out
        if last == "log_softmax":
            probs: np.ndarray = np.exp(out).astype(np.float32)
            return probs
        return softmax(out)

    def predict(self, x: np.ndarray, batch_size: int = 100) -> np.ndarray:
        """(N, classes) probabilities for x (N, C, H, W), batch_size images at a time."""
        x = self.batch(x)
        parts = []
        for i in range(0, len(x), batch_size):
            out = x[i:i + batch_size]
            for step in self.steps:
                out = step.make().forward(out)
            parts.append(self.probabilities(out))
        return np.concatenate(parts)

    # ---- description --------------------------------------------------------------------------
    @property
    def classes(self) -> int:
        return int(np.prod(self.steps[-1].out_shape)) if self.steps else 0

    def param_count(self) -> int:
        return sum(s.param_count for s in self.steps)

    def macs(self) -> int:
        return sum(s.macs for s in self.steps)

    def conv_layer_names(self) -> list[str]:
        return [s.name for s in self.steps if s.kind == "conv"]

    def conv_weights(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(W (FN, C/group, FH, FW), b (FN,)) of conv step `name`; KeyError if unknown."""
        for s in self.steps:
            if s.name == name and s.kind == "conv":
                return s.params["W"].copy(), s.params["b"].copy()
        raise KeyError(name)

    def describe(self) -> list[dict[str, Any]]:
        """One row per stage, input first: name, type, op, node, output_shape, params,
        formula, flops (2 · multiply-adds of one image) and the step's settings."""
        rows: list[dict[str, Any]] = [{
            "name": "input", "type": "input", "op": "", "node": self.input_name,
            "output_shape": list(self.input_shape), "params": 0, "formula": "0", "flops": 0}]
        for s in self.steps:
            rows.append({"name": s.name, "type": s.kind, "op": s.op, "node": s.node,
                         "output_shape": list(s.out_shape), "params": s.param_count,
                         "formula": s.formula, "flops": 2 * s.macs, **s.info})
        return rows


@dataclass(frozen=True)
class OnnxEntry:
    """One imported model: its id, record (JSON facts) and the engine chain."""

    id: str
    record: dict[str, Any]
    model: ImportedModel

    @property
    def labels(self) -> list[str]:
        return list(self.record.get("labels") or [])
