"""POST /api/models/{id}/explain: why this answer (saliency, Grad-CAM, occlusion, maximise).

`explain(net, req, settings)` checks the request against the model and the settings (catalogue
errors), runs the method and returns an ExplainResponse; every number behind the map is in
`steps`. Modules: trace.py (forward/backward keeping every stage), methods.py (saliency,
Grad-CAM, occlusion), maximize.py (activation maximisation and the top-9 patches).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.config import Settings
from app.engine.network import Network
from app.errors import ApiError
from app.schemas.explain import ExplainRequest, ExplainResponse, ExplainStep

from .maximize import maximize
from .methods import gradcam, occlusion, saliency
from .trace import trace


def model_input(net: Any, values: list[Any]) -> np.ndarray:
    """Nested lists (H, W) or (C, H, W) → x (1, C, H, W), 422 when the shape does not fit."""
    try:
        x = np.asarray(values, np.float32)
    except ValueError:  # ragged rows
        x = np.zeros(0, np.float32)
    if x.ndim == 2:
        x = x[None]
    if x.shape != net.input_shape:
        raise ApiError("model_input_mismatch", variant="explain", field="input",
                       limit="x".join(map(str, net.input_shape)), model_id=net.id,
                       shape="x".join(map(str, x.shape)))
    return x[None]


def _plain(values: Any) -> Any:
    """An array as nested lists (numbers and lists as they are)."""
    return values.tolist() if isinstance(values, np.ndarray) else values


def _layer(net: Any, layer: str | None, default: str) -> str:
    names = net.conv_layer_names()
    name = layer or default
    if name not in names:
        raise ApiError("unknown_layer", variant="route", field="layer", limit=", ".join(names),
                       model=net.id, layer=name)
    return name


def explain(net: Any, req: ExplainRequest, settings: Settings) -> ExplainResponse:
    """Run req.method on the model (a Network, or an imported ONNX model: saliency, Grad-CAM
    and occlusion through its layers' own backward) for the request's input (CPU work)."""
    x = model_input(net, req.input)
    with np.errstate(over="ignore", invalid="ignore"):
        t = trace(net, x)  # the forward pass that saliency and Grad-CAM go back through
    y = t.outs[-1][0]
    predicted = int(y.argmax())
    target = predicted if req.target is None else req.target
    if target >= y.shape[0]:
        raise ApiError("explain_limit", variant="target", field="target", limit=y.shape[0] - 1)
    convs = net.conv_layer_names()
    if req.method == "saliency":
        m, steps, extra = saliency(net, x, target, t)
    elif req.method == "gradcam":
        m, steps, extra = gradcam(net, x, target, _layer(net, req.layer, convs[-1]), t,
                                   req.channels)
    elif req.method == "occlusion":
        H, W = x.shape[2:]
        if req.patch > min(H, W):
            raise ApiError("explain_limit", variant="patch", field="patch", limit=min(H, W))
        positions = ((H - req.patch) // req.stride + 1) * ((W - req.patch) // req.stride + 1)
        if positions > settings.explain_max_positions:
            raise ApiError("explain_limit", variant="positions", field="stride",
                           limit=settings.explain_max_positions, positions=positions)
        m, steps, extra = occlusion(net, x, target, req.patch, req.stride, req.fill)
    else:
        layer = _layer(net, req.layer, convs[0])
        filters = (int(net.params[f"{layer}.W"].shape[0]) if isinstance(net, Network)
                   else int(net.conv_weights(layer)[0].shape[0]))
        if req.index >= filters:
            raise ApiError("explain_limit", variant="index", field="index", limit=filters - 1)
        if req.steps > settings.explain_max_steps:
            raise ApiError("explain_limit", variant="steps", field="steps",
                           limit=settings.explain_max_steps)
        m, steps, extra = maximize(net, layer, req.index, steps=req.steps, lr=req.lr, l2=req.l2,
                                   jitter=req.jitter, blur_every=req.blur_every)
    if not all(np.isfinite(s["values"]).all() for s in steps):
        raise ApiError("non_finite_output", field="model_id", limit=req.method, model_id=net.id)
    return ExplainResponse(method=req.method, model=net.id, target=target, predicted=predicted,
                           scores=y.tolist(), shape=list(m.shape), map=m.tolist(),
                           steps=[ExplainStep(name=s["name"], formula=s["formula"],
                                              values=_plain(s["values"])) for s in steps],
                           **extra)
