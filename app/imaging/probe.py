"""The (C, H, W) an upload will decode to, read from its header alone (no pixel decoded).

Used to plan and check every budget before any image of a batch is decoded
(app/services/convolve.py).
"""

from __future__ import annotations

from PIL import ExifTags, Image

from app.config import Settings, get_settings
from app.imaging.budget import DecodeCost
from app.imaging.decode import _DECODE_ERRORS, Color, _check_max_side, _target_size, open_walked


def probe_image(data: bytes, *, color: Color = "gray", max_side: int | None = None,
                settings: Settings | None = None, field: str | None = "image"
                ) -> tuple[int, int, int]:
    """(C, H, W) that decode_image will return (probe_image_cost without the cost)."""
    return probe_image_cost(data, color=color, max_side=max_side, settings=settings,
                            field=field)[0]


def probe_image_cost(data: bytes, *, color: Color = "gray", max_side: int | None = None,
                     settings: Settings | None = None, field: str | None = "image"
                     ) -> tuple[tuple[int, int, int], DecodeCost]:
    """((C, H, W), DecodeCost) from the header and structure alone (no pixel decoded).

    Same refusals as decode_image for empty / unsupported / oversized headers. EXIF orientation
    5–8 swaps H and W; max_side scales the long side. (A PNG whose eXIf chunk follows the pixel
    data is seen as orientation 1 here; callers compare with the decoded shape.)
    """
    settings = settings or get_settings()
    _check_max_side(max_side)
    with open_walked(data, settings, field, max_side) as (img, _, cost):
        w, h = img.size
        try:  # the base method reads EXIF already parsed from the header (never loads pixels)
            orientation = int(Image.Image.getexif(img).get(ExifTags.Base.Orientation, 1))
        except _DECODE_ERRORS:
            orientation = 1
    w, h = _target_size(w, h, max_side) or (w, h)
    if orientation in (5, 6, 7, 8):
        w, h = h, w
    return ((3 if color == "rgb" else 1), h, w), cost
