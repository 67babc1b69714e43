"""The body of POST /api/models/{id}/predict → a (28, 28) input and how it was prepared.

Two forms: multipart with an `image` file (prepared the MNIST way, app.mnist_prep), or JSON
{"input": 28×28 values in [0, 1]} used as it is. Anything else → 415; a bad field → 4xx naming it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from app.config import Settings
from app.errors import ApiError, validation_api_error
from app.imaging import ImageError, decode_image
from app.mnist_prep import prepare_digit
from app.schemas.models import PredictRequest, Preparation

UPLOAD_MAX_SIDE = 512  # uploads are shrunk to this long side before preparation (reported)


@dataclass(frozen=True)
class PredictBody:
    """Either raw upload bytes (prepared later, in the CPU pool) or a ready 28×28 input."""

    upload: bytes | None
    input: np.ndarray | None
    previews: bool


def _flag(value: object, field: str) -> bool:
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ApiError(422, "invalid", f"{field} must be true or false.",
                   f"{field} は true か false にしてください。", field=field, limit="true, false")


async def _multipart(request: Request) -> PredictBody:
    form = await request.form()
    image = form.get("image")
    if not isinstance(image, UploadFile):
        raise ApiError(422, "missing", "image: a multipart file field named `image` is required.",
                       "必須の項目がありません: image（multipart のファイル）", field="image")
    return PredictBody(await image.read(), None, _flag(form.get("previews", "true"), "previews"))


async def read_predict_body(request: Request) -> PredictBody:
    """Parse the request by its Content-Type (multipart/form-data or application/json)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        return await _multipart(request)
    if ctype != "application/json":
        raise ApiError(415, "unsupported_media_type",
                       "Send multipart/form-data with an `image` file, or application/json "
                       "with `input` (28×28 values in [0, 1]).",
                       "multipart/form-data（image ファイル）か application/json（input: 28×28 の "
                       "[0, 1] の値）で送ってください。", field="content-type",
                       limit="multipart/form-data, application/json")
    try:
        req = PredictRequest.model_validate_json(await request.body())
    except ValidationError as e:
        raise validation_api_error(e.errors()) from None
    return PredictBody(None, np.asarray(req.input, np.float32), req.previews)


def json_preparation() -> Preparation:
    """A JSON input is used as it is: nothing changed."""
    return Preparation(source="json", inverted=False, empty=False, bbox=None, scale=1.0,
                       offset=[0, 0], resized_from=None)


def prepare_upload(data: bytes, settings: Settings) -> tuple[np.ndarray, Preparation]:
    """Image bytes → decoded gray → MNIST-style (28, 28) input and what was done (CPU work)."""
    try:
        img = decode_image(data, color="gray", max_side=UPLOAD_MAX_SIDE, settings=settings)
    except ImageError as e:
        raise ApiError(e.status, e.code, e.message_en, e.message_ja, field=e.field,
                       limit=e.limit) from None
    p = prepare_digit(img.array[0])
    return p.image, Preparation(source="upload", inverted=p.inverted, empty=p.empty,
                                bbox=list(p.bbox) if p.bbox else None, scale=p.scale,
                                offset=list(p.offset),
                                resized_from=list(img.resized_from) if img.resized_from else None)
