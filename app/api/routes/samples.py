"""/api/samples: ConvScope's own sample images (drawn with Pillow), listed and served as PNG."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.errors import ApiError, ErrorResponse
from app.imaging.samples import SAMPLES, sample_png, sample_size

router = APIRouter(prefix="/api", tags=["samples"])


class SampleOut(BaseModel):
    """One sample image: id, names and descriptions (en/ja), size and where to fetch it."""

    id: str = Field(examples=["shapes"])
    name_en: str
    name_ja: str
    description_en: str
    description_ja: str
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    url: str = Field(description="GET this for the PNG.", examples=["/api/samples/shapes.png"])


class SampleList(BaseModel):
    """Every sample image, in display order."""

    samples: list[SampleOut]


def _out(sample_id: str) -> SampleOut:
    s = SAMPLES[sample_id]
    w, h = sample_size(sample_id)
    return SampleOut(id=s.id, name_en=s.name_en, name_ja=s.name_ja, description_en=s.description_en,
                     description_ja=s.description_ja, width=w, height=h,
                     url=f"/api/samples/{s.id}.png")


@router.get("/samples", response_model=SampleList)
def list_samples() -> SampleList:
    """The sample images: ids, English and Japanese names, sizes, PNG URLs."""
    return SampleList(samples=[_out(sid) for sid in SAMPLES])


@router.get("/samples/{sample_id}.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}, "description": "The sample as PNG."},
                       404: {"model": ErrorResponse, "description": "No such sample."},
                       422: {"model": ErrorResponse, "description": "Invalid sample id."}})
def get_sample(sample_id: str) -> Response:
    """One sample image as PNG (drawn once, then cached)."""
    if sample_id not in SAMPLES:
        raise ApiError("sample_not_found", field="sample_id", limit=", ".join(SAMPLES),
                       sample_id=sample_id)
    return Response(sample_png(sample_id), media_type="image/png",
                    headers={"Cache-Control": "public, max-age=86400"})
