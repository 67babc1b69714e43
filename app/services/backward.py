"""The backward pass of the book's Convolution layer, step by step (section 7.4), checked
against numerical gradients on the same numbers (as the book's gradient_check.py).

dW = colᵀ·dout, db = Σ dout, dcol = dout·col_Wᵀ, dx = col2im(dcol); the coverage map counts
how many windows read each input pixel (col2im of a col full of ones).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from app.engine.layers import Convolution
from app.engine.util import col2im
from app.errors import ApiError
from app.schemas.explain import BackwardRequest, BackwardResponse
from app.services.plan import geometry_or_422

H_STEP = 1e-4


def conv64(x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """Float64 convolution by direct sums (independent of im2col): (C, H, W) → (FN, OH, OW)."""
    FN, C, FH, FW = W.shape
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    OH = (xp.shape[1] - FH) // stride + 1
    OW = (xp.shape[2] - FW) // stride + 1
    out = np.empty((FN, OH, OW))
    for i in range(OH):
        for j in range(OW):
            win = xp[:, i * stride:i * stride + FH, j * stride:j * stride + FW]
            out[:, i, j] = (W * win).sum(axis=(1, 2, 3)) + b
    return out


def numerical_gradient(f: Callable[[], float], a: np.ndarray) -> np.ndarray:
    """(f(a + h) − f(a − h)) / 2h for every element of a (float64, changed and restored)."""
    grad = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        keep = a[idx]
        a[idx] = keep + H_STEP
        up = f()
        a[idx] = keep - H_STEP
        down = f()
        a[idx] = keep
        grad[idx] = (up - down) / (2 * H_STEP)
    return grad


def _array(values: list[Any], field: str, limit: str) -> np.ndarray:
    """Nested lists → float32 array; 422 backward_shape when they are ragged."""
    try:
        return np.asarray(values, np.float32)
    except ValueError:
        raise ApiError("backward_shape", field=field, limit=limit) from None


def backward_view(req: BackwardRequest) -> BackwardResponse:
    """Forward then backward through Convolution for req (CPU work, all arrays small)."""
    x = _array(req.x, "x", "(C, H, W)")
    W = _array(req.W, "W", "(FN, C, FH, FW)")
    if W.shape[1] != x.shape[0]:
        raise ApiError("backward_shape", variant="W", field="W",
                       limit=f"(FN, {x.shape[0]}, FH, FW)")
    FN, _, FH, FW = W.shape
    b = np.zeros(FN, np.float32) if req.b is None else np.asarray(req.b, np.float32)
    if b.shape != (FN,):
        raise ApiError("backward_shape", variant="b", field="b", limit=f"({FN},)")
    geometry_or_422(x.shape[1], x.shape[2], FH, FW, stride=req.stride, pad=req.pad,
                        dilation=1, field="W")
    layer = Convolution(W, b, stride=req.stride, pad=req.pad)
    out = layer.forward(x[None])[0]
    if req.dout is not None:
        dout = _array(req.dout, "dout", "x".join(map(str, out.shape)))
        if dout.shape != out.shape:
            raise ApiError("backward_shape", variant="dout", field="dout",
                           limit="x".join(map(str, out.shape)))
    else:
        dout = np.ones_like(out) if req.loss == "sum" else out.copy()
    dx = layer.backward(dout[None])[0]
    dmat = dout.transpose(1, 2, 0).reshape(-1, FN)
    assert layer.col is not None and layer.col_W is not None
    dcol = dmat @ layer.col_W.T
    ones = np.ones((layer.col.shape[0], FH * FW), np.float32)  # one channel's windows
    cover = col2im(ones, (1, 1, *x.shape[1:]), FH, FW, req.stride, req.pad)
    return BackwardResponse(
        shape={"x": list(x.shape), "W": list(W.shape), "out": list(out.shape),
               "col": list(layer.col.shape), "dout": list(dmat.shape)},
        col=layer.col.tolist(), col_W=layer.col_W.tolist(), out=out.tolist(),
        dout=dmat.tolist(), dW=layer.dW.tolist(), db=layer.db.tolist(), dcol=dcol.tolist(),
        dx=dx.tolist(), coverage=cover[0, 0].round().astype(int).tolist(),
        numerical=_numerical(req, x, W, b, dout, layer.dW, layer.db, dx))


def _numerical(req: BackwardRequest, x: np.ndarray, W: np.ndarray, b: np.ndarray,
               dout: np.ndarray, dW: np.ndarray, db: np.ndarray, dx: np.ndarray) -> dict[str, Any]:
    """Numerical dW, db, dx of L (⟨dout, out⟩ for a given dout, else Σ out or ½ Σ out²)."""
    x64, W64, b64, d64 = (a.astype(np.float64) for a in (x, W, b, dout))
    s, p = req.stride, req.pad

    def loss() -> float:
        o = conv64(x64, W64, b64, s, p)
        if req.dout is not None:
            return float((d64 * o).sum())
        return float(o.sum()) if req.loss == "sum" else float(0.5 * (o * o).sum())

    num = {"dW": numerical_gradient(loss, W64), "db": numerical_gradient(loss, b64),
           "dx": numerical_gradient(loss, x64)}
    ours = {"dW": dW, "db": db, "dx": dx}
    result: dict[str, Any] = {k: v.tolist() for k, v in num.items()}
    result["max_abs_error"] = {k: float(np.abs(num[k] - ours[k]).max()) for k in num}
    result["h"] = H_STEP
    return result
