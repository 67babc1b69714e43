"""Results → HTTP bodies: JSON stages (stats, PNG previews, base64 values), PNG grid, NPY.

The media type comes from the Accept header (`negotiate`): application/json (default),
image/png (colour-scaled final map(s), a grid when several) or application/x-npy
(np.save bytes of the final (N, FN, OH, OW) float32 array).
"""

from __future__ import annotations

import base64
import io

import numpy as np
from starlette.responses import Response

from app.colormap import colorize
from app.errors import ApiError
from app.png import encode_png, grid, png_data_url
from app.schemas.responses import GeometryOut, StageName, StageOut

JSON, PNG, NPY = "application/json", "image/png", "application/x-npy"
MEDIA_TYPES = (JSON, PNG, NPY)
_RANGES = {"application/*": (JSON, NPY), "image/*": (PNG,)}


def _accept_items(accept: str) -> list[tuple[str, float]]:
    """An Accept header → [(media type lower-cased, q)]; a q that is not a number counts as 0."""
    items = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        items.append((media.lower(), q))
    return items


def negotiate(accept: str | None) -> str:
    """The best of JSON / PNG / NPY for an Accept header (JSON when absent or */*); 406 if none.
    An explicit q=0 refuses that type even when a wildcard (*/*, application/*, image/*) is
    listed too: `application/json;q=0, */*` → PNG."""
    if not accept or not accept.strip():
        return JSON
    items = _accept_items(accept)
    named = {m for m, q in items if q > 0 and m in MEDIA_TYPES}  # more specific than a range
    refused = {m for m, q in items if q <= 0 and m in MEDIA_TYPES} | {
        c for m, q in items if q <= 0 for c in _RANGES.get(m, ()) if c not in named}
    best, best_q = None, 0.0
    for media, q in items:
        if q <= 0:
            continue
        cands = MEDIA_TYPES if media == "*/*" else _RANGES.get(media) or \
            ((media,) if media in MEDIA_TYPES else ())
        for c in [c for c in cands if c not in refused][:1]:
            if q > best_q:
                best, best_q = c, q
    if best is None:
        raise ApiError(406, "not_acceptable", f"Cannot answer with {accept!r}; use one of "
                       f"{', '.join(MEDIA_TYPES)}.", f"{accept!r} では応答できません。",
                       field="Accept", limit=", ".join(MEDIA_TYPES))
    return best


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
              max_maps: int, geometry: object | None = None) -> StageOut:
    """Statistics of one stage (N, C, H, W) with its optional preview and raw values."""
    return StageOut(
        name=name, label=label, shape=list(x.shape), min=float(x.min()), max=float(x.max()),
        mean=float(x.mean(dtype=np.float64)),
        preview=preview(x, is_input=name == "input", max_maps=max_maps) if image else None,
        values_b64=values_b64(x) if values else None,
        geometry=geometry_out(geometry) if geometry is not None else None)


MAPS_HEADER = "X-ConvScope-Maps"
"""PNG responses: "<shown> of <total>" maps (N·FN); the grid holds only the first max_maps."""


def png_response(final: np.ndarray, max_maps: int) -> Response:
    """The final maps (N, FN, OH, OW) colour-scaled; one map → one PNG, several → a grid of the
    first max_maps (N-major); header X-ConvScope-Maps: "<shown> of <N·FN>"."""
    total = int(np.prod(final.shape[:-2]))
    maps = list(final.reshape(-1, *final.shape[-2:]))[:max_maps]
    body = encode_png(grid(maps)) if len(maps) > 1 else encode_png(colorize(maps[0]))
    return Response(body, media_type=PNG, headers={MAPS_HEADER: f"{len(maps)} of {total}"})


def npy_response(final: np.ndarray) -> Response:
    """np.save bytes of the final float32 array."""
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(final, dtype=np.float32), allow_pickle=False)
    return Response(buf.getvalue(), media_type=NPY)
