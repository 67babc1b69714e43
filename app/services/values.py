"""Stage values on the wire: exact float32, or quantised to 8/16 bits with their range.

    f32: little-endian float32, C order (exact)
    u8, u16: q = round((x − lo) / (hi − lo) · (2^b − 1)), lo/hi = the stage's min/max, then each
        row (last axis) delta-coded mod 2^b (q[..., 0], q[..., j] − q[..., j−1]) so that smooth
        maps deflate well; little-endian; then zlib-deflated (level 1; the page inflates it with
        DecompressionStream("deflate")). Decoded x ≈ lo + q · (hi − lo) / (2^b − 1), off by at
        most half a step, (hi − lo) / (2 · (2^b − 1)).
All base64 (gzip over base64 text finds little: deflating the bytes first is what pays).
Measured sizes and the lab's choice: docs/wire-values.md (bench/wire_values.py).
"""

from __future__ import annotations

import base64
import zlib
from typing import Literal

import numpy as np

ValuesFormat = Literal["f32", "u16", "u8"]
_TYPES = {"u8": ("<u1", 255), "u16": ("<u2", 65535)}


def quantise(x: np.ndarray, fmt: ValuesFormat) -> bytes:
    """(…, W) float32 → the bytes of `fmt` (see the module docstring)."""
    if fmt == "f32":
        return np.ascontiguousarray(x, dtype="<f4").tobytes()
    dtype, top = _TYPES[fmt]
    lo, hi = float(x.min()), float(x.max())
    scale = top / (hi - lo) if hi > lo else 0.0
    q = np.rint((x.astype(np.float64) - lo) * scale).astype(np.int64)
    q[..., 1:] = np.diff(q, axis=-1)
    return zlib.compress((q & top).astype(dtype).tobytes(), 1)


def dequantise(data: bytes, shape: tuple[int, ...], fmt: ValuesFormat, lo: float,
               hi: float) -> np.ndarray:
    """The inverse of quantise (the page does the same in static/js/lib/values.js)."""
    if fmt == "f32":
        return np.frombuffer(data, "<f4").reshape(shape)
    dtype, top = _TYPES[fmt]
    q = np.frombuffer(zlib.decompress(data), dtype).reshape(shape).astype(np.int64)
    q = np.cumsum(q, axis=-1) & top
    return (lo + q * ((hi - lo) / top)).astype(np.float32)


def encode_b64(x: np.ndarray, fmt: ValuesFormat = "f32") -> str:
    """quantise → base64 text."""
    return base64.b64encode(quantise(x, fmt)).decode("ascii")
