"""GET /api/kernels: the filter catalogue (smoothing, sharpening, edge detection, other)."""

from functools import cache

from fastapi import APIRouter

from app.engine.kernels import CATALOGUE, KernelSpec
from app.schemas import KernelCatalogue, KernelOut, KernelParamOut

router = APIRouter(prefix="/api", tags=["kernels"])


def _kernel_out(k: KernelSpec) -> KernelOut:
    params = [KernelParamOut(**{f: getattr(p, f) for f in KernelParamOut.model_fields})
              for p in k.params]
    fields = {f: getattr(k, f) for f in KernelOut.model_fields if f not in ("params", "weights")}
    return KernelOut(**fields, params=params, weights=k.build().tolist())


@cache
def catalogue() -> KernelCatalogue:
    """The catalogue as built once (ids, en/ja names, parameters with ranges, default weights)."""
    return KernelCatalogue(kernels=[_kernel_out(k) for k in CATALOGUE.values()])


@router.get("/kernels", response_model=KernelCatalogue)
def kernels() -> KernelCatalogue:
    """Every catalogue kernel: id, category, en/ja name and description, parameters with their
    ranges and labels, and the (FH, FW) weights for the default parameters."""
    return catalogue()
