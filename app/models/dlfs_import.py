"""Import the textbook's SimpleConvNet weights (a pickle of {W1, b1, W2, b2, W3, b3}).

The pickle is read by app.models.safe_pickle's restricted unpickler: it resolves only ndarray,
_reconstruct and plain numeric dtypes (plus the protocol 2 and 5 helpers numpy's own pickles
use), checks every shape and size before allocating, and bounds the opcodes and the walk; anything
else raises ``UnsafePickleError`` (or ``DlfsImportError``) before it could run or allocate.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.engine.network import ARCHITECTURES, Network
from app.models.safe_pickle import PickleLimitError, UnsafePickleError, safe_load_pickle

__all__ = ["DLFS_KEYS", "DlfsImportError", "UnsafePickleError", "load_dlfs_params",
           "network_from_dlfs", "safe_load_pickle"]

MAX_PICKLE_BYTES = 16 * 1024 * 1024  # the book's file is 3.5 MB (float64)

# The book's key → ConvScope's simple-convnet parameter name and expected shape.
DLFS_KEYS = {"W1": ("conv1.W", (30, 1, 5, 5)), "b1": ("conv1.b", (30,)),
             "W2": ("affine1.W", (4320, 100)), "b2": ("affine1.b", (100,)),
             "W3": ("affine2.W", (100, 10)), "b3": ("affine2.b", (10,))}


class DlfsImportError(ValueError):
    """The file is not the book's SimpleConvNet parameter dict."""


def load_dlfs_params(path: str | Path) -> dict[str, np.ndarray]:
    """The book's {W1, b1, W2, b2, W3, b3} from a params.pkl, checked, as float32 arrays."""
    p = Path(path)
    if not p.is_file():
        raise DlfsImportError(f"{p}: no such file")
    try:
        if p.stat().st_size > MAX_PICKLE_BYTES:
            raise DlfsImportError(f"{p}: larger than {MAX_PICKLE_BYTES:,} bytes")
        obj = safe_load_pickle(p.read_bytes())
    except PickleLimitError as e:
        raise DlfsImportError(f"{p}: {e}") from None
    except OSError as e:
        raise DlfsImportError(f"{p}: cannot read it ({e.strerror or e})") from None
    if not isinstance(obj, dict):
        raise DlfsImportError(f"{p}: holds a {type(obj).__name__}, expected a dict W1, b1, ..., b3")
    missing = [k for k in DLFS_KEYS if k not in obj]
    if missing:
        found = ", ".join(sorted(str(k)[:20] for k in obj)[:20])
        raise DlfsImportError(f"{p}: missing {', '.join(missing)} (keys found: {found})")
    out: dict[str, np.ndarray] = {}
    for key, (_, shape) in DLFS_KEYS.items():
        a = obj[key]
        if not isinstance(a, np.ndarray):
            raise DlfsImportError(f"{p}: {key} is a {type(a).__name__}, expected an array")
        if a.shape != shape:
            raise DlfsImportError(f"{p}: {key} has shape {a.shape}, SimpleConvNet needs {shape}")
        if not np.isfinite(a).all():
            raise DlfsImportError(f"{p}: {key} holds NaN or infinite values")
        out[key] = a.astype(np.float32)
    return out


def network_from_dlfs(params: dict[str, np.ndarray], model_id: str = "dlfs-simple-convnet",
                      name: str = "SimpleConvNet (imported from the book's params.pkl)") -> Network:
    """A simple-convnet Network holding the book's arrays (same layout: no flip, C-order
    flatten)."""
    arch = ARCHITECTURES["simple-convnet"]
    ours = {DLFS_KEYS[k][0]: v for k, v in params.items() if k in DLFS_KEYS}
    return Network(model_id, name, arch["input_shape"], arch["layers"], ours)
