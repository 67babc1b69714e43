"""Import the textbook's SimpleConvNet weights (a pickle of {W1, b1, W2, b2, W3, b3}).

The pickle is read by a restricted unpickler: it resolves only the few numpy callables needed
to rebuild arrays and dtypes (plus OrderedDict); anything else (os.system, eval, ...) raises
``UnsafePickleError`` before it could be called. Arrays must be numeric (no object dtype).
"""

from __future__ import annotations

import collections
import io
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from app.engine.network import ARCHITECTURES, Network

MAX_PICKLE_BYTES = 64 * 1024 * 1024


class UnsafePickleError(pickle.UnpicklingError):
    """The pickle asks for something other than numpy arrays, dtypes and plain containers."""


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    """Protocol-2 pickles store bytes as _codecs.encode(str, "latin1"); no other codec."""
    if encoding not in ("latin1", "latin-1") or not isinstance(text, str):
        raise UnsafePickleError(f"refused: _codecs.encode with {encoding!r}")
    return text.encode("latin1")


# (module, name) pairs a numpy-array pickle refers to, in numpy 1.x and 2.x spellings.
_ALLOWED: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): _latin1_encode,
}
for _mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
    _ALLOWED[(_mod, "_reconstruct")] = np._core.multiarray._reconstruct  # type: ignore[attr-defined]
    _ALLOWED[(_mod, "scalar")] = np._core.multiarray.scalar  # type: ignore[attr-defined]
for _mod in ("numpy.core.numeric", "numpy._core.numeric"):
    _ALLOWED[(_mod, "_frombuffer")] = np._core.numeric._frombuffer  # type: ignore[attr-defined]
for _mod in ("numpy", "numpy.dtypes"):  # numpy 2 pickles dtypes via their classes
    for _t in ("Float32DType", "Float64DType", "Float16DType", "Int64DType", "Int32DType",
               "UInt8DType"):
        if hasattr(np.dtypes, _t):
            _ALLOWED[(_mod, _t)] = getattr(np.dtypes, _t)

# The book's key → ConvScope's simple-convnet parameter name and expected shape.
DLFS_KEYS = {"W1": ("conv1.W", (30, 1, 5, 5)), "b1": ("conv1.b", (30,)),
             "W2": ("affine1.W", (4320, 100)), "b2": ("affine1.b", (100,)),
             "W3": ("affine2.W", (100, 10)), "b3": ("affine2.b", (10,))}


class DlfsImportError(ValueError):
    """The file is not the book's SimpleConvNet parameter dict."""


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise UnsafePickleError(
                f"refused: the pickle wants {module}.{name}; only numpy arrays, dtypes and plain "
                f"containers are allowed") from None

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePickleError("refused: persistent ids are not allowed")


def _check_numeric(obj: Any, depth: int = 0) -> None:
    """Every array inside obj (dict/list/tuple) must have a bool, int or float dtype."""
    if depth > 20:
        raise DlfsImportError("containers nested too deeply")
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in "biuf":
            raise UnsafePickleError(f"refused: an array of dtype {obj.dtype} (numeric only)")
    elif isinstance(obj, dict):
        for v in obj.values():
            _check_numeric(v, depth + 1)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _check_numeric(v, depth + 1)


def safe_load_pickle(data: bytes) -> Any:
    """Unpickle bytes admitting only numpy arrays/dtypes/scalars and plain containers."""
    try:
        obj = _RestrictedUnpickler(io.BytesIO(data)).load()
    except UnsafePickleError:
        raise
    except Exception as e:  # truncated, wrong protocol, not a pickle at all
        raise DlfsImportError(f"not a readable pickle ({type(e).__name__}: {e})") from e
    _check_numeric(obj)
    return obj


def load_dlfs_params(path: str | Path) -> dict[str, np.ndarray]:
    """The book's {W1, b1, W2, b2, W3, b3} from a params.pkl, checked, as float32 arrays."""
    p = Path(path)
    if not p.is_file():
        raise DlfsImportError(f"{p}: no such file")
    if p.stat().st_size > MAX_PICKLE_BYTES:
        raise DlfsImportError(f"{p}: larger than {MAX_PICKLE_BYTES} bytes")
    obj = safe_load_pickle(p.read_bytes())
    if not isinstance(obj, dict):
        raise DlfsImportError(f"{p}: holds a {type(obj).__name__}, expected a dict W1, b1, ..., b3")
    missing = [k for k in DLFS_KEYS if k not in obj]
    if missing:
        raise DlfsImportError(f"{p}: missing {', '.join(missing)} (keys found: {sorted(obj)})")
    out: dict[str, np.ndarray] = {}
    for key, (_, shape) in DLFS_KEYS.items():
        a = np.asarray(obj[key])
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
