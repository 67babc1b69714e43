"""Stage values on the wire: exact float32, or quantised to 8/16 bits with their range.

    f32: little-endian float32, C order (exact)
    u8, u16: q = round((x − q_lo) / step), codes 0 … 2^b − 1 over the stage's [min, max] (the
        step widened a little when min < 0 < max so that 0 is a code: zeros stay zeros), then each
        (H, W) plane predicted from the row above mod 2^b (first row: from the left; PNG's "up",
        the best of left / up / Paeth / MED under deflate in bench/wire_codecs.py) so that maps
        deflate well; little-endian; then zlib-deflated (level 1; the page inflates it with
        DecompressionStream("deflate")). Decoded x = q_lo + q · step (values_lo, values_step in
        the stage), off by at most half a step. An 8-bit image's values (every x = float32(k/255),
        the input stage of an image) use the grid q_lo = 0, step = 1/255: exact.
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


def grid(lo: float, hi: float, top: int) -> tuple[float, float]:
    """(q_lo, step) of the codes 0..top covering [lo, hi]; when lo < 0 < hi the step is widened a
    little so that 0 is a code (a flat area or a ReLU zero stays exactly 0)."""
    if hi <= lo:
        return lo, 0.0
    step = (hi - lo) / top
    if lo < 0 < hi:
        z = min(top - 1, max(1, round(-lo / step)))
        step = max(-lo / z, hi / (top - z))
        return -(z * step), step
    return lo, step


def image_codes(x: np.ndarray) -> np.ndarray | None:
    """The bytes q (0…255) when every value of x is float32(q / 255), as an 8-bit image's input
    stage is; else None. On the grid (0, 1/255) such values travel exactly in 8 bits."""
    if x.size == 0 or float(x.min()) < 0 or float(x.max()) > 1:
        return None
    q = np.rint(x.astype(np.float64) * 255)
    return q.astype(np.int64) if np.array_equal((q / 255).astype(np.float32), x) else None


def quantise(x: np.ndarray, fmt: ValuesFormat) -> tuple[bytes, float, float]:
    """(…, W) float32 → (the bytes of `fmt`, q_lo, step); x ≈ q_lo + q · step (f32: exact; an
    8-bit image's values k/255 exact too: grid (0, 1/255))."""
    if fmt == "f32":
        return np.ascontiguousarray(x, dtype="<f4").tobytes(), 0.0, 0.0
    dtype, top = _TYPES[fmt]
    exact = image_codes(x)
    if exact is not None:
        return _code(exact, dtype, top), 0.0, 1 / 255
    lo, step = grid(float(x.min()), float(x.max()), top)
    scaled = np.rint((x.astype(np.float64) - lo) / step) if step else np.zeros(x.shape)
    return _code(np.clip(scaled, 0, top).astype(np.int64), dtype, top), lo, step


def _code(q: np.ndarray, dtype: str, top: int) -> bytes:
    """Codes (…, H, W) → zlib(up-delta(q) mod 2^b): each plane's first row as q[0, j] − q[0, j−1],
    every later row as q[i, j] − q[i−1, j] (PNG's "up"; bench/wire_codecs.py)."""
    r = q.copy()
    r[..., :1, 1:] = np.diff(q[..., :1, :], axis=-1)
    r[..., 1:, :] = np.diff(q, axis=-2)
    return zlib.compress((r & top).astype(dtype).tobytes(), 1)


def dequantise(data: bytes, shape: tuple[int, ...], fmt: ValuesFormat, lo: float,
               step: float) -> np.ndarray:
    """The inverse of quantise (the page does the same in static/js/lib/values.js)."""
    if fmt == "f32":
        return np.frombuffer(data, "<f4").reshape(shape)
    dtype, top = _TYPES[fmt]
    r = np.frombuffer(zlib.decompress(data), dtype).reshape(shape).astype(np.int64)
    r[..., :1, :] = np.cumsum(r[..., :1, :], axis=-1)
    q = np.cumsum(r, axis=-2) & top
    return (lo + q * step).astype(np.float32)


def encode_b64(x: np.ndarray, fmt: ValuesFormat = "f32") -> tuple[str, float | None, float | None]:
    """quantise → (base64 text, q_lo, step); the grid is None for f32."""
    data, lo, step = quantise(x, fmt)
    text = base64.b64encode(data).decode("ascii")
    return (text, None, None) if fmt == "f32" else (text, lo, step)
