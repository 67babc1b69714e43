"""The body of POST /api/models/{id}/predict → a (28, 28) input and how it was prepared.

Two forms: multipart with an `image` file (prepared the MNIST way, app.imaging.digits), or JSON
{"input": 28×28 values in [0, 1]} used as it is. Anything else → 415; a bad field → 4xx naming it.
"""

from __future__ import annotations

import numpy as np
from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from app.api.validation import validation_api_error
from app.errors import ApiError
from app.schemas.models import PredictRequest
from app.services.predict import PredictBody


def _flag(value: object, field: str) -> bool:
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ApiError("invalid", variant="flag", field=field, limit="true, false")


async def _multipart(request: Request) -> PredictBody:
    form = await request.form()
    image = form.get("image")
    if not isinstance(image, UploadFile):
        raise ApiError("missing", variant="predict_image", field="image")
    return PredictBody(await image.read(), None, _flag(form.get("previews", "true"), "previews"))


async def read_predict_body(request: Request) -> PredictBody:
    """Parse the request by its Content-Type (multipart/form-data or application/json)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        return await _multipart(request)
    if ctype != "application/json":
        raise ApiError("unsupported_media_type", variant="predict", field="content-type",
                       limit="multipart/form-data, application/json")
    try:
        req = PredictRequest.model_validate_json(await request.body())
    except ValidationError as e:
        raise validation_api_error(e.errors()) from None
    return PredictBody(None, np.asarray(req.input, np.float32), req.previews)
