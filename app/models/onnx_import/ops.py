"""ONNX node → engine Step, one builder per supported op. A builder gets the node, its
attributes, the constants known so far and the per-image input shape; it returns the Step, or
None for a no-op (Dropout, Identity), or raises UnsupportedError(reason)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from onnx import NodeProto

from app.engine import more_layers as xl
from app.engine.layers import Relu

from .layers import AffineOp, ConvOp, PoolOp, ReshapeOp, TransposeOp
from .model import Shape, Step


class UnsupportedError(Exception):
    """A node that cannot run on the engine; the message says why."""


Consts = dict[str, np.ndarray]
Builder = Callable[[NodeProto, dict[str, Any], Consts, Shape], Step | None]


def _const(node: NodeProto, i: int, consts: Consts, what: str) -> np.ndarray | None:
    if len(node.input) <= i or not node.input[i]:
        return None
    if node.input[i] not in consts:
        raise UnsupportedError(f"its {what} must be a constant")
    return consts[node.input[i]]


def _need(node: NodeProto, i: int, consts: Consts, what: str) -> np.ndarray:
    v = _const(node, i, consts, what)
    if v is None:
        raise UnsupportedError(f"it has no {what}")
    return np.asarray(v, np.float32)


def _step(node: NodeProto, kind: str, make: Callable[[], Any], shape: Shape, **kw: Any) -> Step:
    return Step(name="", kind=kind, op=node.op_type, node=node.name, tensor=node.output[0],
                make=make, out_shape=tuple(int(v) for v in shape), **kw)


def _spatial(shape: Shape, node: NodeProto) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise UnsupportedError(f"it needs (C, H, W) maps, not shape {list(shape)}")
    return int(shape[0]), int(shape[1]), int(shape[2])


def _pads(a: dict[str, Any], H: int, W: int, k: tuple[int, int], s: tuple[int, int],
          d: tuple[int, int]) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) from pads or auto_pad (SAME_UPPER / SAME_LOWER / VALID)."""
    auto = a.get("auto_pad", b"NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else str(auto)
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        out = []
        for n, kk, ss, dd in ((H, k[0], s[0], d[0]), (W, k[1], s[1], d[1])):
            total = max((math.ceil(n / ss) - 1) * ss + (kk - 1) * dd + 1 - n, 0)
            small = total // 2
            out.append((small, total - small) if auto == "SAME_UPPER" else (total - small, small))
        return out[0][0], out[1][0], out[0][1], out[1][1]
    p = [int(v) for v in a.get("pads", [0, 0, 0, 0])]
    if len(p) != 4 or min(p) < 0:
        raise UnsupportedError(f"pads {p} are not 4 non-negative values")
    return p[0], p[1], p[2], p[3]


def _two(a: dict[str, Any], key: str, default: int) -> tuple[int, int]:
    v = [int(x) for x in a.get(key, [default, default])]
    if len(v) != 2 or min(v) < 1:
        raise UnsupportedError(f"{key} {v} must be two positive values")
    return v[0], v[1]


def conv(node: NodeProto, a: dict[str, Any], c: Consts, shape: Shape) -> Step:
    C, H, W = _spatial(shape, node)
    Wt = _need(node, 1, c, "weight")
    if Wt.ndim != 4:
        raise UnsupportedError("only 2-D convolutions are supported")
    FN, Cg, kh, kw = Wt.shape
    b = _const(node, 2, c, "bias")
    bias = np.zeros(FN, np.float32) if b is None else np.asarray(b, np.float32).reshape(FN)
    group = int(a.get("group", 1))
    if Cg * group != C or FN % group:
        raise UnsupportedError(f"weight {list(Wt.shape)} with group {group} does not fit "
                               f"{C} channels")
    s, d = _two(a, "strides", 1), _two(a, "dilations", 1)
    pads = _pads(a, H, W, (kh, kw), s, d)
    oh = (H + pads[0] + pads[2] - (kh - 1) * d[0] - 1) // s[0] + 1
    ow = (W + pads[1] + pads[3] - (kw - 1) * d[1] - 1) // s[1] + 1
    if oh < 1 or ow < 1:
        raise UnsupportedError(f"its output would be {oh}×{ow}")
    n = FN * Cg * kh * kw + FN
    return _step(node, "conv", lambda: ConvOp(Wt, bias, s, pads, d, group), (FN, oh, ow),
                 params={"W": Wt, "b": bias}, formula=f"{FN}·{Cg}·{kh}·{kw} + {FN} = {n}",
                 macs=FN * oh * ow * Cg * kh * kw,
                 info={"filters": FN, "kernel": [kh, kw], "stride": list(s), "pads": list(pads),
                       "dilation": list(d), "group": group})


def pool(node: NodeProto, a: dict[str, Any], c: Consts, shape: Shape) -> Step:
    C, H, W = _spatial(shape, node)
    k = _two(a, "kernel_shape", 1)
    s = _two(a, "strides", 1)
    if _two(a, "dilations", 1) != (1, 1):
        raise UnsupportedError("pooling with dilations is not supported")
    pads = _pads(a, H, W, k, s, (1, 1))
    ceil = bool(a.get("ceil_mode", 0))
    size = []
    for n, p0, p1, kk, ss in ((H, pads[0], pads[2], k[0], s[0]), (W, pads[1], pads[3], k[1], s[1])):
        span = n + p0 + p1 - kk
        o = (-(-span // ss) if ceil else span // ss) + 1
        if ceil and (o - 1) * ss >= n + p0:  # the last window must start inside (PyTorch's rule)
            o -= 1
        size.append(o)
    oh, ow = size
    if oh < 1 or ow < 1:
        raise UnsupportedError(f"its output would be {oh}×{ow}")
    extra = (max(0, (oh - 1) * s[0] + k[0] - H - pads[0] - pads[2]),
             max(0, (ow - 1) * s[1] + k[1] - W - pads[1] - pads[3]))
    mode = "max" if node.op_type == "MaxPool" else "avg"
    count_pad = bool(a.get("count_include_pad", 0))
    return _step(node, "pool", lambda: PoolOp(mode, k, s, pads, extra, count_pad), (C, oh, ow),
                 macs=C * oh * ow * k[0] * k[1],
                 info={"mode": mode, "kernel": list(k), "stride": list(s), "pads": list(pads),
                       "ceil_mode": ceil})


def gemm(node: NodeProto, a: dict[str, Any], c: Consts, shape: Shape) -> Step:
    if len(shape) != 1 or a.get("transA", 0):
        raise UnsupportedError(f"it needs a (N, D) input without transA, not {list(shape)}")
    B = _need(node, 1, c, "weight")
    Wt = (B.T if a.get("transB", 0) else B) * np.float32(a.get("alpha", 1.0))
    D, M = Wt.shape
    if shape[0] != D:
        raise UnsupportedError(f"weight {list(B.shape)} does not fit {shape[0]} inputs")
    Cb = _const(node, 2, c, "bias")
    bias = np.zeros(M, np.float32) if Cb is None else np.broadcast_to(
        np.asarray(Cb, np.float32) * np.float32(a.get("beta", 1.0)), (1, M)).reshape(M).copy()
    return affine_step(node, np.ascontiguousarray(Wt, np.float32), bias)


def affine_step(node: NodeProto, Wt: np.ndarray, bias: np.ndarray) -> Step:
    D, M = Wt.shape
    return _step(node, "affine", lambda: AffineOp(Wt, bias), (M,), params={"W": Wt, "b": bias},
                 formula=f"{D}·{M} + {M} = {D * M + M}", macs=D * M, info={"units": M})


def matmul(node: NodeProto, a: dict[str, Any], c: Consts, shape: Shape) -> Step:
    B = _need(node, 1, c, "weight")
    if len(shape) != 1 or B.ndim != 2 or B.shape[0] != shape[0]:
        raise UnsupportedError(f"weight {list(B.shape)} does not fit input {list(shape)}")
    return affine_step(node, np.ascontiguousarray(B), np.zeros(B.shape[1], np.float32))


def batchnorm(node: NodeProto, a: dict[str, Any], c: Consts, shape: Shape) -> Step:
    if a.get("training_mode", 0):
        raise UnsupportedError("training_mode is not supported")
    g, bt, m, v = (_need(node, i, c, w) for i, w in
                   ((1, "scale"), (2, "bias"), (3, "mean"), (4, "var")))
    C = shape[0]
    if any(t.shape != (C,) for t in (g, bt, m, v)):
        raise UnsupportedError(f"its statistics do not have {C} channels")
    eps = float(a.get("epsilon", 1e-5))
    n = 4 * C
    return _step(node, "batchnorm", lambda: xl.BatchNorm(g, bt, m, v, eps), shape,
                 params={"gamma": g, "beta": bt, "mean": m, "var": v},
                 formula=f"4·{C} = {n} (γ, β, mean, var)", macs=int(np.prod(shape)),
                 info={"epsilon": eps})


def _simple(kind: str, make: Callable[[dict[str, Any]], Any]) -> Builder:
    def build(node: NodeProto, a: dict[str, Any], c: Consts, shape: Shape) -> Step:
        return _step(node, kind, lambda: make(a), shape, macs=int(np.prod(shape)))
    return build


def clip(node: NodeProto, a: dict[str, Any], c: Consts, shape: Shape) -> Step:
    lo = _const(node, 1, c, "min")
    hi = _const(node, 2, c, "max")
    lo_v = float(lo) if lo is not None else float(a.get("min", -np.inf))
    hi_v = float(hi) if hi is not None else float(a.get("max", np.inf))
    return _step(node, "clip", lambda: xl.Clip(lo_v, hi_v), shape, macs=int(np.prod(shape)),
                 info={"min": lo_v, "max": hi_v})


def softmax_like(node: NodeProto, a: dict[str, Any], c: Consts, shape: Shape) -> Step:
    axis = int(a.get("axis", -1))
    if len(shape) != 1 or axis not in (-1, 1):
        raise UnsupportedError(f"only over the classes of a (N, M) input, not axis {axis} of "
                          f"{list(shape)}")
    kind = "softmax" if node.op_type == "Softmax" else "log_softmax"
    make = xl.SoftmaxLayer if kind == "softmax" else xl.LogSoftmax
    return _step(node, kind, make, shape, macs=int(np.prod(shape)))


def flatten(node: NodeProto, a: dict[str, Any], c: Consts, shape: Shape) -> Step:
    if int(a.get("axis", 1)) != 1:
        raise UnsupportedError("only axis 1 (keep the batch) is supported")
    return _step(node, "flatten", xl.Flatten, (int(np.prod(shape)),))


def reshape(node: NodeProto, a: dict[str, Any], c: Consts, shape: Shape) -> Step:
    t = [int(v) for v in np.asarray(_need(node, 1, c, "shape"), np.float64).reshape(-1)]
    if not t or t[0] not in (-1, 0, 1):
        raise UnsupportedError(f"target {t} must keep the batch axis first")
    full = (1, *shape)
    dims = [full[i] if v == 0 else v for i, v in enumerate(t)][1:]
    if dims.count(-1) > 1 or any(v < -1 for v in dims):
        raise UnsupportedError(f"target {t} is not a valid shape")
    known = int(np.prod([v for v in dims if v != -1]))
    total = int(np.prod(shape))
    if -1 in dims:
        if known == 0 or total % known:
            raise UnsupportedError(f"target {t} does not fit {list(shape)}")
        dims[dims.index(-1)] = total // known
    if int(np.prod(dims)) != total:
        raise UnsupportedError(f"target {t} does not fit {list(shape)}")
    out = tuple(dims)
    kind = "flatten" if len(out) == 1 else "reshape"
    return _step(node, kind, lambda: ReshapeOp(out), out)


def transpose(node: NodeProto, a: dict[str, Any], c: Consts, shape: Shape) -> Step:
    perm = tuple(int(v) for v in a.get("perm", []))
    if len(perm) != len(shape) + 1 or perm[0] != 0 or sorted(perm) != list(range(len(perm))):
        raise UnsupportedError(f"perm {list(perm)} must keep the batch axis first")
    out = tuple(shape[p - 1] for p in perm[1:])
    return _step(node, "transpose", lambda: TransposeOp(perm), out, info={"perm": list(perm)})


def pad(node: NodeProto, a: dict[str, Any], c: Consts, shape: Shape) -> Step:
    C, H, W = _spatial(shape, node)
    mode = a.get("mode", b"constant")
    if (mode.decode() if isinstance(mode, bytes) else mode) != "constant":
        raise UnsupportedError(f"mode {mode!r}: only constant padding is supported")
    p = _const(node, 1, c, "pads")
    pads = [int(v) for v in (p.reshape(-1) if p is not None else a.get("pads", []))]
    v = _const(node, 2, c, "value")
    value = float(v) if v is not None and v.size else float(a.get("value", 0.0))
    if len(pads) != 8 or any(pads[i] for i in (0, 1, 4, 5)) or min(pads) < 0:
        raise UnsupportedError(f"pads {pads} must pad only H and W, by non-negative amounts")
    tlbr = (pads[2], pads[3], pads[6], pads[7])
    out = (C, H + tlbr[0] + tlbr[2], W + tlbr[1] + tlbr[3])
    return _step(node, "pad", lambda: xl.Pad(tlbr, value), out,
                 info={"pads": list(tlbr), "value": value})


def noop(node: NodeProto, a: dict[str, Any], c: Consts, shape: Shape) -> None:
    return None


BUILDERS: dict[str, Builder] = {
    "Conv": conv, "MaxPool": pool, "AveragePool": pool, "Gemm": gemm, "MatMul": matmul,
    "BatchNormalization": batchnorm, "Clip": clip, "Softmax": softmax_like,
    "LogSoftmax": softmax_like, "Flatten": flatten, "Reshape": reshape, "Transpose": transpose,
    "Pad": pad, "Dropout": noop, "Identity": noop,
    "Relu": _simple("relu", lambda a: Relu()),
    "Sigmoid": _simple("sigmoid", lambda a: xl.Sigmoid()),
    "Tanh": _simple("tanh", lambda a: xl.Tanh()),
    "LeakyRelu": _simple("leaky_relu", lambda a: xl.LeakyRelu(float(a.get("alpha", 0.01)))),
    "GlobalAveragePool": lambda n, a, c, s: _step(
        n, "global_pool", xl.GlobalAvgPool, (_spatial(s, n)[0], 1, 1), macs=int(np.prod(s))),
}
