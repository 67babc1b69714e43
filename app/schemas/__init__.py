"""Pydantic request and response models of the REST API."""

from app.schemas.requests import (
    MAX_ABS_VALUE,
    CatalogueKernel,
    ConvLayer,
    ConvolveRequest,
    ConvParams,
    ConvSpec,
    InputOptions,
    ModelKernel,
    PipelineRequest,
    PipelineSpec,
    PoolLayer,
    PoolSpec,
    ReluLayer,
)
from app.schemas.responses import (
    ConvolveResponse,
    GeometryOut,
    GeometryQuery,
    ImageNoteOut,
    KernelCatalogue,
    KernelOut,
    KernelParamOut,
    KernelUsed,
    PipelineResponse,
    ResizedNote,
    StageOut,
)

__all__ = [
    "MAX_ABS_VALUE", "CatalogueKernel", "ConvLayer", "ConvParams", "ConvSpec", "ConvolveRequest",
    "ConvolveResponse", "GeometryOut", "GeometryQuery", "ImageNoteOut", "InputOptions",
    "KernelCatalogue",
    "KernelOut", "KernelParamOut", "KernelUsed", "ModelKernel", "PipelineRequest",
    "PipelineResponse", "PipelineSpec", "PoolLayer", "PoolSpec", "ReluLayer", "ResizedNote",
    "StageOut",
]
