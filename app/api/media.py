"""Media negotiation and binary encoding: the Accept header → JSON, PNG or NPY.

The media type comes from the Accept header (`negotiate`): application/json (default),
image/png (colour-scaled final map(s), a grid when several) or application/x-npy
(np.save bytes of the final (N, FN, OH, OW) float32 array).
"""

from __future__ import annotations

import io
from typing import Annotated, Any

import numpy as np
from fastapi import Depends, Request
from starlette.responses import Response

from app.errors import ERROR_RESPONSES, ApiError
from app.imaging.colormap import colorize
from app.imaging.png import encode_png, grid
from app.services.convolve import Outcome

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
        raise ApiError("not_acceptable", variant="accept", field="Accept",
                       limit=", ".join(MEDIA_TYPES), accept=accept)
    return best


MAPS_HEADER = "X-ConvScope-Maps"
"""PNG responses: "<shown> of <total>" maps (N·FN); the grid holds only the first max_maps."""


def accept_media(request: Request) -> str:
    """The negotiated media type of a request (dependency; 406 before the body is read)."""
    return negotiate(request.headers.get("accept"))


MediaDep = Annotated[str, Depends(accept_media)]


def png_response(final: np.ndarray, max_maps: int) -> Response:
    """The final maps (N, FN, OH, OW) colour-scaled; one map → one PNG, several → a grid of the
    first max_maps (N-major); header X-ConvScope-Maps: "<shown> of <N·FN>"."""
    total = int(np.prod(final.shape[:-2]))
    maps = list(final.reshape(-1, *final.shape[-2:]))[:max_maps]
    body = encode_png(grid(maps)) if len(maps) > 1 else encode_png(colorize(maps[0]))
    return Response(body, media_type=PNG, headers={MAPS_HEADER: f"{len(maps)} of {total}"})


def respond(outcome: Outcome, media: str, max_maps: int) -> Response:
    """A service's Outcome in the negotiated media type: its JSON body, the PNG or the NPY."""
    if media == PNG:
        return png_response(outcome.final, max_maps)
    if media == NPY:
        return npy_response(outcome.final)
    assert outcome.body is not None
    return Response(outcome.body.model_dump_json(), media_type=JSON)


def npy_response(final: np.ndarray) -> Response:
    """np.save bytes of the final float32 array."""
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(final, dtype=np.float32), allow_pickle=False)
    return Response(buf.getvalue(), media_type=NPY)


BINARY = {"schema": {"type": "string", "format": "binary"}}
MEDIA_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": BINARY, "application/x-npy": BINARY},
          "description": "JSON (default), PNG of the final map(s) or NPY (by Accept). The PNG "
                         "grid shows at most max_preview_maps (64) of the N·FN maps; header "
                         "X-ConvScope-Maps says how many, e.g. \"64 of 1024\".",
          "headers": {"X-ConvScope-Maps": {
              "description": "PNG only: \"<shown> of <N·FN>\" maps in the grid.",
              "schema": {"type": "string", "example": "64 of 1024"}}}},
    406: ERROR_RESPONSES[422] | {"description": "Unsupported Accept."},
}
