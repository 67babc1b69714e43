"""onnxruntime (a test dependency only) on one thread, with every step's tensor as an output."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper


def run_ort(proto: onnx.ModelProto, x: np.ndarray, tensors: list[str] | None = None
            ) -> dict[str, np.ndarray]:
    """{name: value} of the graph output(s) and `tensors` for input x, by onnxruntime."""
    m = onnx.ModelProto()
    m.CopyFrom(proto)
    have = {o.name for o in m.graph.output}
    for name in tensors or []:
        if name not in have:
            m.graph.output.append(helper.make_empty_tensor_value_info(name))
            have.add(name)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(m.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, {sess.get_inputs()[0].name: x}), strict=True))
