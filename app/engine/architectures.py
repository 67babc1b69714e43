"""The known architectures (layer specs) and the .npz weight file of a Network.

The .npz holds every parameter as float32 (``conv1.W``, ``conv1.b``, ...) plus two JSON strings
(``__architecture__``: id, name, input_shape, layer specs; ``__meta__``: the model card facts),
so it loads with ``allow_pickle=False``. Layer specs (dicts):
  {"name": "conv1", "type": "conv", "filters": FN, "size": FH, "stride": S, "pad": P}
  {"name": "relu1", "type": "relu"}
  {"name": "pool1", "type": "pool", "size": 2, "stride": 2}
  {"name": "affine1", "type": "affine", "units": M}
  {"name": "softmax", "type": "softmax"}          # last; probabilities (loss while training)
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

FORMAT_VERSION = 1


class NetworkError(ValueError):
    """An architecture or weight file that cannot be used."""


def _conv(n: str, filters: int, size: int, pad: int = 0) -> dict[str, Any]:
    return {"name": n, "type": "conv", "filters": filters, "size": size, "stride": 1, "pad": pad}


def _pool(n: str) -> dict[str, Any]:
    return {"name": n, "type": "pool", "size": 2, "stride": 2}


def _layer(n: str, kind: str, **settings: int) -> dict[str, Any]:
    return {"name": n, "type": kind, **settings}


ARCHITECTURES: dict[str, dict[str, Any]] = {
    "simple-convnet": {
        "name": "SimpleConvNet (the book's, section 7.5)",
        "input_shape": (1, 28, 28),
        "layers": [_conv("conv1", 30, 5), _layer("relu1", "relu"), _pool("pool1"),
                   _layer("affine1", "affine", units=100), _layer("relu2", "relu"),
                   _layer("affine2", "affine", units=10), _layer("softmax", "softmax")],
    },
    "slide4-cnn": {
        "name": "Slide 4 CNN (Conv-ReLU-Pool ×2, Conv-ReLU, Affine-ReLU, Affine-Softmax)",
        "input_shape": (1, 28, 28),
        "layers": [_conv("conv1", 32, 3, pad=1), _layer("relu1", "relu"), _pool("pool1"),
                   _conv("conv2", 64, 3, pad=1), _layer("relu2", "relu"), _pool("pool2"),
                   _conv("conv3", 64, 3), _layer("relu3", "relu"),
                   _layer("affine1", "affine", units=128), _layer("relu4", "relu"),
                   _layer("affine2", "affine", units=10), _layer("softmax", "softmax")],
    },
    "color-vgg": {  # slides 11–13: RGB input, trained on app.models.datasets.synthetic
        "name": "Colour VGG-style CNN ((Conv3×3-ReLU-Pool) ×3, Affine-ReLU, Affine-Softmax)",
        "input_shape": (3, 32, 32),
        "layers": [_conv("conv1", 16, 3, pad=1), _layer("relu1", "relu"), _pool("pool1"),
                   _conv("conv2", 32, 3, pad=1), _layer("relu2", "relu"), _pool("pool2"),
                   _conv("conv3", 32, 3, pad=1), _layer("relu3", "relu"), _pool("pool3"),
                   _layer("affine1", "affine", units=64), _layer("relu4", "relu"),
                   _layer("affine2", "affine", units=10), _layer("softmax", "softmax")],
    },
}


def save_npz(path: str | os.PathLike[str], params: dict[str, np.ndarray],
             architecture: dict[str, Any], meta: dict[str, Any]) -> None:
    """Write the .npz (float32 params + JSON strings); loadable with allow_pickle=False."""
    arrays: dict[str, np.ndarray] = {k: v.astype(np.float32) for k, v in params.items()}
    arrays["__architecture__"] = np.array(json.dumps(architecture))
    arrays["__meta__"] = np.array(json.dumps(meta))
    with open(path, "wb") as f:  # a file object: numpy must not append ".npz" to the name
        np.savez_compressed(f, **arrays)  # type: ignore[arg-type]


def load_npz(path: str | os.PathLike[str]
             ) -> tuple[dict[str, Any], dict[str, np.ndarray], dict[str, Any]]:
    """(architecture, params, meta) of a .npz written by save_npz; NetworkError otherwise."""
    try:
        with np.load(path, allow_pickle=False) as z:
            files = {k: z[k] for k in z.files}
    except (OSError, ValueError) as e:
        raise NetworkError(f"{os.fspath(path)}: not a readable .npz weight file ({e})") from e
    if "__architecture__" not in files:
        raise NetworkError(f"{os.fspath(path)}: no __architecture__ entry")
    arch = json.loads(str(files.pop("__architecture__")))
    meta = json.loads(str(files.pop("__meta__"))) if "__meta__" in files else {}
    return arch, files, meta
