"""Stages → response models: statistics, PNG previews (data URLs) and base64 values.

Every stage is (N, C, H, W) float32; previews colour-scale each map (inputs stay images).
"""

from __future__ import annotations

import base64

import numpy as np

from app.imaging.png import encode_png, grid, png_data_url
from app.schemas.responses import GeometryOut, StageName, StageOut
from app.services.values import ValuesFormat, encode_b64


def geometry_out(g: object) -> GeometryOut:
    """Engine Geometry → response model."""
    names = GeometryOut.model_fields
    return GeometryOut(**{k: getattr(g, k) for k in names})


def values_b64(x: np.ndarray) -> str:
    """Little-endian float32, C order, base64."""
    return base64.b64encode(np.ascontiguousarray(x, dtype="<f4").tobytes()).decode("ascii")


def _image_tiles(x: np.ndarray) -> list[np.ndarray]:
    """Input images (N, C, H, W) in [0, 1] → RGB uint8 tiles (C = 3) or gray maps."""
    if x.shape[1] == 3:
        return [np.floor(np.clip(im.transpose(1, 2, 0), 0, 1) * 255 + 0.5).astype(np.uint8)
                for im in x]
    return [np.repeat(np.floor(np.clip(m, 0, 1) * 255 + 0.5).astype(np.uint8)[..., None], 3, 2)
            for im in x for m in im]


def preview(x: np.ndarray, *, is_input: bool, max_maps: int) -> str:
    """PNG data URL: the input as an image, else every map colour-scaled (a grid when several)."""
    tiles = _image_tiles(x) if is_input else list(x.reshape(-1, *x.shape[-2:]))
    tiles = tiles[:max_maps]
    if len(tiles) == 1:
        return png_data_url(tiles[0])
    return "data:image/png;base64," + base64.b64encode(encode_png(grid(tiles))).decode("ascii")


def stage_out(name: StageName, label: str, x: np.ndarray, *, image: bool, values: bool,
              max_maps: int, geometry: object | None = None,
              values_format: ValuesFormat = "f32") -> StageOut:
    """Statistics of one stage (N, C, H, W) with its optional preview and raw values."""
    text, q_lo, step = encode_b64(x, values_format) if values else (None, None, None)
    return StageOut(
        name=name, label=label, shape=list(x.shape), min=float(x.min()), max=float(x.max()),
        mean=float(x.mean(dtype=np.float64)),
        preview=preview(x, is_input=name == "input", max_maps=max_maps) if image else None,
        values_b64=text, values_format=values_format if values else None,
        values_lo=q_lo, values_step=step,
        geometry=geometry_out(geometry) if geometry is not None else None)
