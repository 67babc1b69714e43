"""ConvScope's own models (shipped, trained, imported from the book's pickle) as ONNX, so that
a student can open them in Netron or run them in onnxruntime.

conv → Conv (strides, pads), relu → Relu, pool → MaxPool, affine → Flatten (when the input is
maps) + Gemm, softmax → Softmax; the input is "x" (N, C, H, W) with a symbolic N.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from app.engine.network import Network

OPSET = 17


def network_to_onnx(net: Network) -> onnx.ModelProto:
    """The Network as a checked ModelProto (opset 17), weights as initializers."""
    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []
    cur = "x"
    shape: tuple[int, ...] = tuple(net.input_shape)
    for spec, out_shape in zip(net.specs, net.shapes, strict=True):
        n, kind = spec["name"], spec["type"]
        if kind == "conv":
            W, b = net.params[f"{n}.W"], net.params[f"{n}.b"]
            inits += [numpy_helper.from_array(W, f"{n}.W"), numpy_helper.from_array(b, f"{n}.b")]
            s, p = int(spec.get("stride", 1)), int(spec.get("pad", 0))
            nodes.append(helper.make_node("Conv", [cur, f"{n}.W", f"{n}.b"], [n], name=n,
                                          kernel_shape=list(W.shape[2:]), strides=[s, s],
                                          pads=[p, p, p, p]))
        elif kind == "pool":
            size = int(spec["size"])
            s = int(spec.get("stride", size))
            nodes.append(helper.make_node("MaxPool", [cur], [n], name=n,
                                          kernel_shape=[size, size], strides=[s, s]))
        elif kind == "affine":
            if len(shape) > 1:
                nodes.append(helper.make_node("Flatten", [cur], [f"{n}.flat"], name=f"{n}.flat",
                                              axis=1))
                cur = f"{n}.flat"
            W, b = net.params[f"{n}.W"], net.params[f"{n}.b"]
            inits += [numpy_helper.from_array(np.ascontiguousarray(W), f"{n}.W"),
                      numpy_helper.from_array(b, f"{n}.b")]
            nodes.append(helper.make_node("Gemm", [cur, f"{n}.W", f"{n}.b"], [n], name=n))
        elif kind in ("relu", "softmax"):
            if kind == "relu":
                nodes.append(helper.make_node("Relu", [cur], [n], name=n))
            else:
                nodes.append(helper.make_node("Softmax", [cur], [n], name=n, axis=-1))
        else:  # pragma: no cover - LAYER_TYPES has no other kind
            raise ValueError(f"cannot export layer type {kind!r}")
        cur, shape = n, out_shape
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", *net.input_shape])
    y = helper.make_tensor_value_info(cur, TensorProto.FLOAT, ["N", *shape])
    graph = helper.make_graph(nodes, net.id, [x], [y], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="convscope")
    model.ir_version = 8
    helper.set_model_props(model, {"name": net.name, "labels": ",".join(
        str(i) for i in range(int(np.prod(shape))))})
    onnx.checker.check_model(model)
    return model


def network_onnx_bytes(net: Network) -> bytes:
    data: bytes = network_to_onnx(net).SerializeToString()
    return data
