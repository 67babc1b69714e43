"""The ONNX graph → a chain of engine Steps.

Constants (initializers, Constant nodes) and the shape arithmetic PyTorch exports for
`x.view(x.size(0), -1)` (Shape → Gather → Unsqueeze → Concat) are folded at import; every other
node must take the previous node's output as its only non-constant input. Everything that does
not fit (other ops, branches, residual Adds, several outputs) is collected, each with its node,
and reported together.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from onnx import GraphProto, NodeProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

from .model import Shape, Step
from .ops import BUILDERS, UnsupportedError, affine_step

FOLDABLE = {"Gather", "Unsqueeze", "Squeeze", "Concat", "Cast", "Slice"}  # on small int tensors
MAX_FOLD_VALUES = 64


def attrs(node: NodeProto) -> dict[str, Any]:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def where(node: NodeProto, i: int) -> str:
    return f"{node.op_type} (node '{node.name or '?'}', #{i + 1})"


def _fold(node: NodeProto, consts: dict[str, np.ndarray], opset: int) -> list[np.ndarray]:
    ins = [consts[n] for n in node.input if n]
    if any(v.size > MAX_FOLD_VALUES for v in ins):
        raise UnsupportedError("its constant inputs are too large to fold")
    ev = ReferenceEvaluator(helper.make_graph(
        [node], "fold", [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(
            consts[n].dtype), consts[n].shape) for n in node.input if n],
        [helper.make_tensor_value_info(n, 0, None) for n in node.output]), opsets={"": opset})
    return list(ev.run(None, {n: consts[n] for n in node.input if n}))


def build_chain(graph: GraphProto, inits: dict[str, np.ndarray], input_name: str,
                input_shape: Shape, opset: int) -> tuple[list[Step], str, list[str]]:
    """(steps, input_layout, problems). input_shape: per image, as the ONNX input declares it
    (without N). problems lists each node that does not fit, with why."""
    consts = dict(inits)
    shapes: dict[str, Shape] = {input_name: input_shape}
    cur, layout, broken = input_name, "NCHW", False
    steps: list[Step] = []
    problems: list[str] = []
    for i, node in enumerate(graph.node):
        op = node.op_type
        if node.domain not in ("", "ai.onnx"):
            problems.append(f"{where(node, i)}: custom domain '{node.domain}'")
            broken = True
            continue
        try:
            if op == "Constant":
                a = attrs(node)
                if "value" not in a:
                    raise UnsupportedError("only tensor constants are supported")
                consts[node.output[0]] = numpy_helper.to_array(a["value"])
                continue
            if op == "Shape" and node.input[0] in shapes:
                a = attrs(node)
                full = np.array((1, *shapes[node.input[0]]), np.int64)
                consts[node.output[0]] = full[a.get("start", 0):a.get("end", len(full))]
                continue
            live = [n for n in node.input if n and n not in consts]
            if not live and op in FOLDABLE:
                for name, value in zip(node.output, _fold(node, consts, opset), strict=False):
                    consts[name] = np.asarray(value)
                continue
            if op not in BUILDERS and op != "Add":
                raise UnsupportedError("this operator is not supported")
            if live != [cur] or (node.input and node.input[0] != cur):
                raise UnsupportedError("not a chain: it reads a tensor other than the previous "
                                  "layer's output (a branch or a residual connection)")
            if broken:
                continue
            if not steps and op == "Transpose" and len(input_shape) == 3 and \
                    list(attrs(node).get("perm", [])) == [0, 3, 1, 2]:
                layout, cur = "NHWC", node.output[0]  # NHWC input, as Keras exports it
                h, w, ch = input_shape
                shapes[cur] = (ch, h, w)
                continue
            step: Step | None = (_bias(node, consts, steps) if op == "Add" else
                                 BUILDERS[op](node, attrs(node), consts, shapes[cur]))
            cur = node.output[0]
            if step is None:  # Dropout, Identity: the same tensor under a new name
                shapes[cur] = shapes[node.input[0]]
                continue
            shapes[cur] = step.out_shape
            if op != "Add":
                steps.append(step)
        except UnsupportedError as e:
            problems.append(f"{where(node, i)}: {e}")
            broken = True
    outs = [o.name for o in graph.output]
    if not problems and outs != [cur]:
        problems.append(f"graph outputs {outs}: a chain has exactly one output, '{cur}'")
    return steps, layout, problems


def _bias(node: NodeProto, consts: dict[str, np.ndarray], steps: list[Step]) -> Step:
    """MatMul + Add(constant) → one affine step (the Add's constant becomes its bias)."""
    other = [n for n in node.input if n in consts]
    if not steps or steps[-1].op != "MatMul" or len(other) != 1:
        raise UnsupportedError("only a constant bias after MatMul is supported")
    prev = steps.pop()
    W, b = prev.params["W"], np.asarray(consts[other[0]], np.float32)
    M = W.shape[1]
    if b.size != M:
        raise UnsupportedError(f"bias of {b.size} values does not fit {M} units")
    step = affine_step(node, W, b.reshape(M).copy())
    step.op, step.node = "MatMul+Add", f"{prev.node}+{node.name}"
    steps.append(step)
    return step
