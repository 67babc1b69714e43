"""A learned model: a named sequence of the engine's layers (architectures.py: the specs and
the .npz file).

One forward path: training and inference run the same layer objects, built from one table
(LAYER_TYPES). Inference builds them per call (they hold references to ``params``, no copies),
so the state a layer keeps for backward is never shared: one Network serves many threads.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .architectures import ARCHITECTURES, FORMAT_VERSION, NetworkError, load_npz, save_npz
from .fast.training import training_layers
from .geometry import conv_geometry
from .layers import Affine, Convolution, Pooling, Relu, Softmax, SoftmaxWithLoss

__all__ = ["ARCHITECTURES", "LAYER_TYPES", "Network", "NetworkError", "Stage", "build"]

Shape = tuple[int, ...]
Spec = dict[str, Any]


@dataclass(frozen=True)
class Stage:
    """One layer output: name ("input", "conv1", ...), kind (input|conv|relu|pool|affine|softmax),
    data with the batch axis first: (N, C, H, W) for maps, (N, M) after an affine layer."""

    name: str
    kind: str
    data: np.ndarray


@dataclass(frozen=True)
class LayerType:
    """What a spec "type" means: its output shape (C, H, W) or (M,) from the input's, its
    parameter shapes, and the layer object (given the spec and its {"W": ..., "b": ...})."""

    out_shape: Callable[[Spec, Shape], Shape]
    params: Callable[[Spec, Shape], dict[str, Shape]]
    make: Callable[[Spec, dict[str, np.ndarray]], Any]


def _window(s: Spec, shape: Shape, channels: int, stride: int, pad: int) -> Shape:
    g = conv_geometry(shape[1], shape[2], s["size"], s["size"], stride=stride, pad=pad)
    return (channels, g.out_h, g.out_w)


def _none(s: Spec, shape: Shape) -> dict[str, Shape]:
    return {}


LAYER_TYPES: dict[str, LayerType] = {
    "conv": LayerType(
        lambda s, sh: _window(s, sh, int(s["filters"]), s.get("stride", 1), s.get("pad", 0)),
        lambda s, sh: {"W": (s["filters"], sh[0], s["size"], s["size"]), "b": (s["filters"],)},
        lambda s, p: Convolution(p["W"], p["b"], stride=s.get("stride", 1), pad=s.get("pad", 0))),
    "relu": LayerType(lambda s, sh: sh, _none, lambda s, p: Relu()),
    "pool": LayerType(
        lambda s, sh: _window(s, sh, sh[0], s["stride"] if "stride" in s else s["size"], 0),
        _none,
        lambda s, p: Pooling(s["size"], s["size"], stride=s.get("stride", s["size"]))),
    "affine": LayerType(
        lambda s, sh: (int(s["units"]),),
        lambda s, sh: {"W": (int(np.prod(sh)), s["units"]), "b": (s["units"],)},
        lambda s, p: Affine(p["W"], p["b"])),
    "softmax": LayerType(lambda s, sh: sh, _none, lambda s, p: Softmax()),
}


class Network:
    """Layers built from specs; parameters in ``params`` ({"conv1.W": array, ...}, float32)."""

    def __init__(self, id: str, name: str, input_shape: tuple[int, int, int],
                 layers: list[Spec], params: dict[str, np.ndarray] | None = None,
                 *, seed: int = 0, meta: dict[str, Any] | None = None) -> None:
        self.id, self.name = id, name
        self.input_shape: tuple[int, int, int] = tuple(int(v) for v in input_shape)  # type: ignore[assignment]
        self.specs = [dict(s) for s in layers]
        self.meta: dict[str, Any] = dict(meta or {})
        if not self.specs or self.specs[-1]["type"] != "softmax":
            raise NetworkError("the last layer must be softmax")
        rng = np.random.default_rng(seed)
        self.params: dict[str, np.ndarray] = {}
        self.shapes: list[Shape] = []
        shape: Shape = self.input_shape
        for spec in self.specs:
            kind = _type(spec)
            for pname, pshape in kind.params(spec, shape).items():
                key = f"{spec['name']}.{pname}"
                self.params[key] = _param(key, tuple(pshape), params, rng)
            shape = kind.out_shape(spec, shape)
            self.shapes.append(shape)
        self.layers = self._make_layers()  # the training path's layers (one thread)
        self.loss_layer = SoftmaxWithLoss()

    def _make_layers(self) -> list[Any]:
        """Fresh layer objects over the current ``params`` (no copies), one per spec."""
        layers = []
        for spec in self.specs:
            n = spec["name"]
            own = {k.split(".", 1)[1]: v for k, v in self.params.items() if k.startswith(n + ".")}
            layers.append(_type(spec).make(spec, own))
        return layers

    def _batch(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, np.float32)
        if x.shape == self.input_shape[1:]:
            x = x[None, None]
        elif x.shape == self.input_shape:
            x = x[None]
        if x.ndim != 4 or x.shape[1:] != self.input_shape:
            raise NetworkError(f"input shape {x.shape} does not fit {self.id}: expected "
                               f"(N, {', '.join(map(str, self.input_shape))})")
        return x

    # ---- the forward path --------------------------------------------------------------------
    def forward_stages(self, x: np.ndarray) -> list[Stage]:
        """Every layer output, input first, softmax probabilities last. x: (N, C, H, W), or one
        image (C, H, W) or (H, W), which is treated as N = 1; every Stage.data keeps the N axis.
        Thread-safe: the layers are this call's own."""
        out = self._batch(x)
        stages = [Stage("input", "input", out)]
        for spec, layer in zip(self.specs, self._make_layers(), strict=True):
            out = layer.forward(out)
            stages.append(Stage(spec["name"], spec["type"], out))
        return stages

    def predict(self, x: np.ndarray, batch_size: int = 100) -> np.ndarray:
        """Probabilities (N, classes) for x (N, C, H, W) (or one image), in chunks of batch_size
        (the book's im2col of slide4-cnn's conv2 is ~45 MiB per 100 images). Thread-safe."""
        x = self._batch(x)
        parts = []
        for i in range(0, len(x), batch_size):
            out = x[i:i + batch_size]
            for layer in self._make_layers():
                out = layer.forward(out)
            parts.append(out)
        return np.concatenate(parts, axis=0)

    def accuracy(self, x: np.ndarray, t: np.ndarray, batch_size: int = 100) -> float:
        """Fraction of x whose most probable class equals the label t (N,)."""
        return float((self.predict(x, batch_size).argmax(axis=1) == np.asarray(t)).mean())

    # ---- training (one thread per Network) ---------------------------------------------------
    def scores(self, x: np.ndarray) -> np.ndarray:
        """x (N, C, H, W) → class scores before softmax (N, classes), through ``self.layers``
        (rebuilt over the current params, fast/training.py's variants), which keep what
        backward needs; the first layer does not compute ∂L/∂x."""
        self.layers = training_layers(self._make_layers())
        out = self._batch(x)
        for layer in self.layers[:-1]:
            out = layer.forward(out)
        return out

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        """Mean cross-entropy of softmax(scores(x)) against labels t (N,)."""
        return self.loss_layer.forward(self.scores(x), np.asarray(t))

    def gradient(self, x: np.ndarray, t: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """Loss and ∂loss/∂param for every parameter, by backpropagation through the layers."""
        loss = self.loss(x, t)
        dout = self.loss_layer.backward(1.0)
        for layer in reversed(self.layers[:-1]):
            dout = layer.backward(dout)
        grads: dict[str, np.ndarray] = {}
        for key in self.params:
            name, pname = key.split(".", 1)
            layer = self.layers[[s["name"] for s in self.specs].index(name)]
            grads[key] = getattr(layer, "d" + pname)
        return loss, grads

    # ---- description -------------------------------------------------------------------------
    def describe(self) -> list[dict[str, Any]]:
        """One dict per stage (input first): name, type, output_shape (without N), params
        (count), plus the layer's own settings (filters, size, stride, pad, units)."""
        rows: list[dict[str, Any]] = [{"name": "input", "type": "input",
                                       "output_shape": list(self.input_shape), "params": 0}]
        for spec, shape in zip(self.specs, self.shapes, strict=True):
            n = sum(v.size for k, v in self.params.items() if k.startswith(spec["name"] + "."))
            extra = {k: v for k, v in spec.items() if k not in ("name", "type")}
            rows.append({"name": spec["name"], "type": spec["type"], "output_shape": list(shape),
                         "params": int(n), **extra})
        return rows

    def param_count(self) -> int:
        return int(sum(v.size for v in self.params.values()))

    def conv_layer_names(self) -> list[str]:
        return [s["name"] for s in self.specs if s["type"] == "conv"]

    def conv_weights(self, name: str) -> np.ndarray:
        """The filters of conv layer ``name`` as a copy, (FN, C, FH, FW); KeyError if unknown."""
        if name not in self.conv_layer_names():
            raise KeyError(
                f"{self.id} has no conv layer {name!r}; it has {self.conv_layer_names()}")
        return self.params[f"{name}.W"].copy()

    def architecture(self) -> dict[str, Any]:
        return {"format": FORMAT_VERSION, "id": self.id, "name": self.name,
                "input_shape": list(self.input_shape), "layers": self.specs}

    # ---- files -------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the .npz (architectures.save_npz); loadable with allow_pickle=False."""
        save_npz(path, self.params, self.architecture(), self.meta)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Network:
        """Read a .npz written by save(); NetworkError when it is not a ConvScope model."""
        arch, params, meta = load_npz(path)
        return cls(arch["id"], arch["name"], tuple(arch["input_shape"]), arch["layers"], params,
                   meta=meta)


def _type(spec: Spec) -> LayerType:
    if spec.get("type") not in LAYER_TYPES:
        raise NetworkError(f"unknown layer type {spec.get('type')!r} in layer {spec.get('name')!r}")
    return LAYER_TYPES[spec["type"]]


def _param(key: str, shape: Shape, params: dict[str, np.ndarray] | None,
           rng: np.random.Generator) -> np.ndarray:
    """The given weights (shape checked) as an own, writable float32 copy; without weights, He
    initialisation for W (std = sqrt(2 / fan_in)) and zeros for b."""
    if params is not None:
        if key not in params:
            raise NetworkError(f"weights missing {key}")
        value = np.asarray(params[key], np.float32)
        if value.shape != shape:
            raise NetworkError(f"{key} has shape {value.shape}, expected {shape}")
        return np.array(value, np.float32)
    if key.endswith(".W"):
        fan_in = int(np.prod(shape[1:])) if len(shape) == 4 else shape[0]
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
    return np.zeros(shape, np.float32)


def build(model_id: str, seed: int = 0) -> Network:
    """A freshly initialised network of a known architecture (see ARCHITECTURES)."""
    if model_id not in ARCHITECTURES:
        raise NetworkError(f"unknown model {model_id!r}; known: {', '.join(ARCHITECTURES)}")
    a = ARCHITECTURES[model_id]
    return Network(model_id, a["name"], a["input_shape"], a["layers"], seed=seed)
