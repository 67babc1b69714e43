"""A learned model: a named sequence of the engine's layers, saved as one .npz.

The .npz holds every parameter as float32 (``conv1.W``, ``conv1.b``, ...) plus two JSON strings
(``__architecture__``: id, name, input_shape, layer specs; ``__meta__``: the model card facts) so
it loads with ``allow_pickle=False``. Layer specs (dicts):
  {"name": "conv1", "type": "conv", "filters": FN, "size": FH, "stride": S, "pad": P}
  {"name": "relu1", "type": "relu"}
  {"name": "pool1", "type": "pool", "size": 2, "stride": 2}
  {"name": "affine1", "type": "affine", "units": M}
  {"name": "softmax", "type": "softmax"}          # last; probabilities (loss while training)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from .activations import affine, relu, softmax
from .columns import conv2d_gemm
from .geometry import conv_geometry
from .layers import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss
from .pool import max_pool2d

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Stage:
    """One layer output: name ("input", "conv1", ...), kind (input|conv|relu|pool|affine|softmax),
    data with the batch axis first: (N, C, H, W) for maps, (N, M) after an affine layer."""

    name: str
    kind: str
    data: np.ndarray


class NetworkError(ValueError):
    """An architecture or weight file that cannot be used."""


def _out_shape(spec: dict[str, Any], shape: tuple[int, ...]) -> tuple[int, ...]:
    kind = spec["type"]
    if kind == "conv":
        _, H, W = shape
        g = conv_geometry(H, W, spec["size"], spec["size"], stride=spec.get("stride", 1),
                          pad=spec.get("pad", 0))
        return (int(spec["filters"]), g.out_h, g.out_w)
    if kind == "pool":
        C, H, W = shape
        g = conv_geometry(H, W, spec["size"], spec["size"], stride=spec.get("stride", spec["size"]))
        return (C, g.out_h, g.out_w)
    if kind == "affine":
        return (int(spec["units"]),)
    if kind in ("relu", "softmax"):
        return shape
    raise NetworkError(f"unknown layer type {kind!r} in layer {spec.get('name')!r}")


def _param_shapes(spec: dict[str, Any], in_shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    if spec["type"] == "conv":
        k = spec["size"]
        return {"W": (spec["filters"], in_shape[0], k, k), "b": (spec["filters"],)}
    if spec["type"] == "affine":
        return {"W": (int(np.prod(in_shape)), spec["units"]), "b": (spec["units"],)}
    return {}


class Network:
    """Layers built from specs; parameters in ``params`` ({"conv1.W": array, ...}, float32)."""

    def __init__(self, id: str, name: str, input_shape: tuple[int, int, int],
                 layers: list[dict[str, Any]], params: dict[str, np.ndarray] | None = None,
                 *, seed: int = 0, meta: dict[str, Any] | None = None) -> None:
        self.id, self.name = id, name
        self.input_shape: tuple[int, int, int] = tuple(int(v) for v in input_shape)  # type: ignore[assignment]
        self.specs = [dict(s) for s in layers]
        self.meta: dict[str, Any] = dict(meta or {})
        if not self.specs or self.specs[-1]["type"] != "softmax":
            raise NetworkError("the last layer must be softmax")
        rng = np.random.default_rng(seed)
        self.params: dict[str, np.ndarray] = {}
        self.layers: list[Any] = []
        self.shapes: list[tuple[int, ...]] = []
        shape: tuple[int, ...] = self.input_shape
        for spec in self.specs:
            for pname, pshape in _param_shapes(spec, shape).items():
                key = f"{spec['name']}.{pname}"
                if params is not None:
                    if key not in params:
                        raise NetworkError(f"weights missing {key}")
                    value = np.asarray(params[key], np.float32)
                    if value.shape != tuple(pshape):
                        raise NetworkError(
                            f"{key} has shape {value.shape}, expected {tuple(pshape)}")
                elif pname == "W":  # He initialisation: std = sqrt(2 / fan_in)
                    fan_in = int(np.prod(pshape[1:])) if spec["type"] == "conv" else pshape[0]
                    value = (rng.standard_normal(pshape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
                else:
                    value = np.zeros(pshape, np.float32)
                self.params[key] = np.array(value, np.float32)  # own, writable copy
            shape = _out_shape(spec, shape)
            self.shapes.append(shape)
            self.layers.append(self._make_layer(spec))
        self.loss_layer = SoftmaxWithLoss()

    def _make_layer(self, spec: dict[str, Any]) -> Any:
        n, kind = spec["name"], spec["type"]
        if kind == "conv":
            return Convolution(self.params[f"{n}.W"], self.params[f"{n}.b"],
                               stride=spec.get("stride", 1), pad=spec.get("pad", 0))
        if kind == "affine":
            return Affine(self.params[f"{n}.W"], self.params[f"{n}.b"])
        if kind == "pool":
            return Pooling(spec["size"], spec["size"], stride=spec.get("stride", spec["size"]))
        if kind == "relu":
            return Relu()
        return None  # softmax: applied by predict / the loss layer

    def _sync(self) -> None:
        """Point every layer at the current arrays in ``params`` (after load or replacement)."""
        for spec, layer in zip(self.specs, self.layers, strict=True):
            if spec["type"] in ("conv", "affine"):
                n = spec["name"]
                layer.W, layer.b = self.params[f"{n}.W"], self.params[f"{n}.b"]

    # ---- inference ---------------------------------------------------------------------------
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

    def _infer(self, spec: dict[str, Any], x: np.ndarray) -> np.ndarray:
        """One layer's output from local values only (pure functions, nothing stored on the
        layer objects), so one Network may serve many threads at once."""
        kind, n = spec["type"], spec["name"]
        if kind == "conv":
            W, b = self.params[f"{n}.W"], self.params[f"{n}.b"]
            g = conv_geometry(x.shape[2], x.shape[3], W.shape[2], W.shape[3],
                              stride=spec.get("stride", 1), pad=spec.get("pad", 0))
            return conv2d_gemm(x, W, b, g)
        if kind == "relu":
            return relu(x)
        if kind == "pool":
            return max_pool2d(x, spec["size"], spec.get("stride", spec["size"]))
        if kind == "affine":
            return affine(x, self.params[f"{n}.W"], self.params[f"{n}.b"])
        return softmax(x)

    def scores(self, x: np.ndarray) -> np.ndarray:
        """x (N, C, H, W) → class scores before softmax (N, classes), through the layer objects
        (which keep what backward needs: training only, one thread per Network)."""
        self._sync()
        out = self._batch(x)
        for layer in self.layers[:-1]:
            out = layer.forward(out)
        return out

    def forward_stages(self, x: np.ndarray) -> list[Stage]:
        """Every layer output, input first, softmax probabilities last. x: (N, C, H, W), or one
        image (C, H, W) or (H, W), which is treated as N = 1; every Stage.data keeps the N axis.
        Stateless (thread-safe): computed from local variables and ``params`` only."""
        out = self._batch(x)
        stages = [Stage("input", "input", out)]
        for spec in self.specs:
            out = np.asarray(self._infer(spec, out), np.float32)
            stages.append(Stage(spec["name"], spec["type"], out))
        return stages

    def predict(self, x: np.ndarray, batch_size: int = 500) -> np.ndarray:
        """Probabilities (N, classes) for x (N, C, H, W) (or one image), in chunks of batch_size.
        Stateless (thread-safe), like forward_stages."""
        x = self._batch(x)
        parts = []
        for i in range(0, len(x), batch_size):
            out = x[i:i + batch_size]
            for spec in self.specs:
                out = self._infer(spec, out)
            parts.append(out)
        return np.concatenate(parts, axis=0)

    def accuracy(self, x: np.ndarray, t: np.ndarray, batch_size: int = 500) -> float:
        """Fraction of x whose most probable class equals the label t (N,)."""
        return float((self.predict(x, batch_size).argmax(axis=1) == np.asarray(t)).mean())

    # ---- training ----------------------------------------------------------------------------
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
        for spec, layer in zip(self.specs, self.layers, strict=True):
            if spec["type"] in ("conv", "affine"):
                grads[f"{spec['name']}.W"] = layer.dW
                grads[f"{spec['name']}.b"] = layer.db
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
        """Write the .npz (float32 params + JSON strings); loadable with allow_pickle=False."""
        arrays: dict[str, np.ndarray] = {k: v.astype(np.float32) for k, v in self.params.items()}
        arrays["__architecture__"] = np.array(json.dumps(self.architecture()))
        arrays["__meta__"] = np.array(json.dumps(self.meta))
        with open(path, "wb") as f:  # a file object: numpy must not append ".npz" to the name
            np.savez_compressed(f, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Network:
        """Read a .npz written by save(); NetworkError when it is not a ConvScope model."""
        try:
            with np.load(path, allow_pickle=False) as z:
                files = {k: z[k] for k in z.files}
        except (OSError, ValueError) as e:
            raise NetworkError(f"{os.fspath(path)}: not a readable .npz weight file ({e})") from e
        if "__architecture__" not in files:
            raise NetworkError(f"{os.fspath(path)}: no __architecture__ entry")
        arch = json.loads(str(files.pop("__architecture__")))
        meta = json.loads(str(files.pop("__meta__"))) if "__meta__" in files else {}
        return cls(arch["id"], arch["name"], tuple(arch["input_shape"]), arch["layers"], files,
                   meta=meta)


def _conv(n: str, filters: int, size: int, pad: int = 0) -> dict[str, Any]:
    return {"name": n, "type": "conv", "filters": filters, "size": size, "stride": 1, "pad": pad}


def _pool(n: str) -> dict[str, Any]:
    return {"name": n, "type": "pool", "size": 2, "stride": 2}


ARCHITECTURES: dict[str, dict[str, Any]] = {
    "simple-convnet": {
        "name": "SimpleConvNet (the book's, section 7.5)",
        "input_shape": (1, 28, 28),
        "layers": [_conv("conv1", 30, 5), {"name": "relu1", "type": "relu"}, _pool("pool1"),
                   {"name": "affine1", "type": "affine", "units": 100},
                   {"name": "relu2", "type": "relu"},
                   {"name": "affine2", "type": "affine", "units": 10},
                   {"name": "softmax", "type": "softmax"}],
    },
    "slide4-cnn": {
        "name": "Slide 4 CNN (Conv-ReLU-Pool ×2, Conv-ReLU, Affine-ReLU, Affine-Softmax)",
        "input_shape": (1, 28, 28),
        "layers": [_conv("conv1", 32, 3, pad=1), {"name": "relu1", "type": "relu"}, _pool("pool1"),
                   _conv("conv2", 64, 3, pad=1), {"name": "relu2", "type": "relu"}, _pool("pool2"),
                   _conv("conv3", 64, 3), {"name": "relu3", "type": "relu"},
                   {"name": "affine1", "type": "affine", "units": 128},
                   {"name": "relu4", "type": "relu"},
                   {"name": "affine2", "type": "affine", "units": 10},
                   {"name": "softmax", "type": "softmax"}],
    },
}


def build(model_id: str, seed: int = 0) -> Network:
    """A freshly initialised network of a known architecture (see ARCHITECTURES)."""
    if model_id not in ARCHITECTURES:
        raise NetworkError(f"unknown model {model_id!r}; known: {', '.join(ARCHITECTURES)}")
    a = ARCHITECTURES[model_id]
    return Network(model_id, a["name"], a["input_shape"], a["layers"], seed=seed)
