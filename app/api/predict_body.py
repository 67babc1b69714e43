"""The body of POST /api/models/{id}/predict → a (28, 28) input and how it was prepared.

Two forms: multipart with an `image` file (prepared the MNIST way, app.imaging.digits), or JSON
{"input": 28×28 values in [0, 1]} used as it is. Anything else → 415; a bad field → 4xx naming it.
The multipart form is FastAPI's (File() / Form() parameters, documented by it); the JSON body is
read here and documented with PredictRequest's own schema (app.api.body.json_body_doc).
"""

from __future__ import annotations

import json
from typing import Annotated

import numpy as np
from fastapi import File, Form, Request, UploadFile
from pydantic import ValidationError

from app.api.validation import validation_api_error
from app.errors import ApiError
from app.schemas.models import ColourPredictRequest, PredictRequest
from app.services.predict import PredictBody


def _flag(value: object, field: str) -> bool:
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ApiError("invalid", variant="flag", field=field, limit="true, false")


def _model_for(raw: bytes) -> type[PredictRequest]:
    """ColourPredictRequest when `input` nests three lists deep ((3, 32, 32)), else the digit's
    PredictRequest (whose errors then name the exact field, e.g. input.3.4)."""
    try:
        x = json.loads(raw).get("input")
        deep = isinstance(x, list) and isinstance(x[0], list) and isinstance(x[0][0], list)
    except (ValueError, AttributeError, IndexError, TypeError):
        deep = False
    return ColourPredictRequest if deep else PredictRequest


async def read_predict_body(
        request: Request,
        image: Annotated[UploadFile | None, File(
            description="A digit photo or drawing; prepared the MNIST way. Required with "
                        "multipart/form-data.")] = None,
        previews: Annotated[str | None, Form(
            description="true or false (default true): PNG previews of every stage.")] = None,
) -> PredictBody:
    """The body by its Content-Type (multipart/form-data or application/json; dependency)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        if image is None:
            raise ApiError("missing", variant="predict_image", field="image")
        flag = _flag("true" if previews is None else previews, "previews")
        return PredictBody(await image.read(), None, flag)
    if ctype != "application/json":
        raise ApiError("unsupported_media_type", variant="predict", field="content-type",
                       limit="multipart/form-data, application/json")
    raw = await request.body()
    try:
        req = _model_for(raw).model_validate_json(raw)
    except ValidationError as e:
        raise validation_api_error(e.errors()) from None
    return PredictBody(None, np.asarray(req.input, np.float32), req.previews)
