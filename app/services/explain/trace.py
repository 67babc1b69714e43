"""Forward and backward through a Network's own layers, keeping every stage and its gradient.

outs[0] is the input x (N, C, H, W); outs[i + 1] the output of layer i (softmax left out, so
outs[-1] are the class scores y (N, classes)). `backward` runs each layer's own `backward`
(the book's: Convolution with col2im, Pooling with arg_max, Relu with its mask, Affine).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.engine.network import Network


@dataclass
class Trace:
    """One forward pass: the layer objects (softmax dropped) and every stage's output."""

    names: list[str]  # "input", then the layer names
    layers: list[Any]
    outs: list[np.ndarray]

    def index(self, name: str) -> int:
        """Stage index of layer `name` (its output is outs[index])."""
        return self.names.index(name)

    def backward(self, dout: np.ndarray, start: int | None = None) -> list[np.ndarray | None]:
        """Gradients of a scalar L with ∂L/∂outs[start] = dout (default: the scores): grads[i] =
        ∂L/∂outs[i] for i <= start (None above it), through each layer's own backward."""
        start = len(self.outs) - 1 if start is None else start
        grads: list[np.ndarray | None] = [None] * len(self.outs)
        grads[start] = dout
        for i in range(start, 0, -1):
            dout = self.layers[i - 1].backward(dout)
            grads[i - 1] = dout
        return grads


def chain(net: Any) -> tuple[list[str], list[Any]]:
    """(names, fresh layer objects) up to the class scores: the final softmax (or an imported
    model's LogSoftmax) dropped, as explanations use the scores y_c. `net` is a Network or an
    imported ONNX model (app.models.onnx_import.model.ImportedModel)."""
    if isinstance(net, Network):
        return [s["name"] for s in net.specs[:-1]], net._make_layers()[:-1]
    steps = list(net.steps)
    if steps and steps[-1].kind in ("softmax", "log_softmax"):
        steps = steps[:-1]
    return [s.name for s in steps], [s.make() for s in steps]


def trace(net: Any, x: np.ndarray, stop: int | None = None) -> Trace:
    """Forward x (N, C, H, W) through net's layers up to stage `stop` (default: the scores)."""
    names, layers = chain(net)  # this call's own layer objects (thread-safe)
    stop = len(names) if stop is None else stop
    outs = [np.ascontiguousarray(x, np.float32)]
    for layer in layers[:stop]:
        outs.append(layer.forward(outs[-1]))
    return Trace(["input", *names[:stop]], layers[:stop], outs)


def scores(net: Any, x: np.ndarray, chunk: int = 128) -> np.ndarray:
    """Class scores before softmax (N, classes) for a batch, in chunks (bounded memory)."""
    parts = [trace(net, x[i:i + chunk]).outs[-1] for i in range(0, len(x), chunk)]
    return np.concatenate(parts, axis=0)


def onehot(n: int, classes: int, target: int) -> np.ndarray:
    """(n, classes) float32 with ones in column `target`: ∂y_target/∂y."""
    d = np.zeros((n, classes), np.float32)
    d[:, target] = 1.0
    return d
