"""ONNX models built in the tests with onnx.helper (no downloaded files): LeNet-5 (with the
`x.view(x.size(0), -1)` shape chain PyTorch exports), a VGG-style RGB 64×64 with
BatchNorm, a depthwise-separable net and a Keras-style NHWC export; plus hostile variants."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


class Seq:
    """A chain under construction: each add() takes the previous output."""

    def __init__(self, shape: list[int | str], seed: int = 0, name: str = "x") -> None:
        self.rng = np.random.default_rng(seed)
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.input = helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)
        self.cur = name
        self.n = 0

    def const(self, value: np.ndarray, name: str | None = None) -> str:
        self.n += 1
        name = name or f"c{self.n}"
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def add(self, op: str, *extra: str, outputs: int = 1, **attrs: object) -> str:
        self.n += 1
        outs = [f"t{self.n}"] + [f"t{self.n}_{i}" for i in range(1, outputs)]
        self.nodes.append(helper.make_node(op, [self.cur, *extra], outs, name=f"{op}_{self.n}",
                                           **attrs))
        self.cur = outs[0]
        return self.cur

    def w(self, *shape: int, scale: float = 0.3) -> str:
        return self.const((self.rng.standard_normal(shape) * scale).astype(np.float32))

    def conv(self, cin: int, cout: int, k: int, group: int = 1, **attrs: object) -> str:
        return self.add("Conv", self.w(cout, cin // group, k, k), self.w(cout, scale=0.1),
                        kernel_shape=[k, k], group=group, **attrs)

    def bn(self, c: int) -> str:
        r = self.rng
        return self.add("BatchNormalization", self.const(r.uniform(0.5, 1.5, c).astype("f4")),
                        self.const(r.normal(0, 0.1, c).astype("f4")),
                        self.const(r.normal(0, 0.1, c).astype("f4")),
                        self.const(r.uniform(0.5, 2, c).astype("f4")), epsilon=1e-5)

    def view_flat(self) -> str:
        """PyTorch's x.view(x.size(0), -1): Shape → Gather → Unsqueeze → Concat → Reshape."""
        x = self.cur
        self.nodes += [
            helper.make_node("Shape", [x], ["s_shape"], name="Shape_v"),
            helper.make_node("Constant", [], ["s_zero"], name="Constant_v",
                             value=numpy_helper.from_array(np.array(0, np.int64))),
            helper.make_node("Gather", ["s_shape", "s_zero"], ["s_n"], name="Gather_v", axis=0),
            helper.make_node("Unsqueeze", ["s_n", self.const(np.array([0], np.int64))],
                             ["s_n1"], name="Unsqueeze_v"),
            helper.make_node("Concat", ["s_n1", self.const(np.array([-1], np.int64))],
                             ["s_target"], name="Concat_v", axis=0)]
        return self.add("Reshape", "s_target")

    def fc(self, din: int, dout: int) -> str:
        return self.add("Gemm", self.w(dout, din, scale=0.1), self.w(dout, scale=0.1), transB=1)

    def model(self, name: str = "fixture", opset: int = OPSET, **meta: str) -> onnx.ModelProto:
        out = helper.make_tensor_value_info(self.cur, TensorProto.FLOAT, None)
        g = helper.make_graph(self.nodes, name, [self.input], [out], self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="convscope-tests")
        m.ir_version = 8
        bare = onnx.ModelProto()
        bare.CopyFrom(m)
        del bare.graph.output[:]
        try:
            known = onnx.shape_inference.infer_shapes(bare).graph.value_info
        except onnx.shape_inference.InferenceError:  # hostile fixtures: left untyped
            known = []
        typed = [v for v in known if v.name == self.cur]
        if typed:  # the output's inferred type and shape (the checker needs a shape)
            m.graph.output[0].type.CopyFrom(typed[0].type)
        helper.set_model_props(m, meta)
        return m


def lenet5() -> onnx.ModelProto:
    """LeNet-5 for 28×28 digits: conv5 pad2 → tanh → avgpool → conv5 → tanh → avgpool → view →
    fc 120 → ReLU → fc 84 → ReLU → fc 10 → LogSoftmax."""
    s = Seq(["N", 1, 28, 28], seed=1)
    s.conv(1, 6, 5, pads=[2, 2, 2, 2])
    s.add("Tanh")
    s.add("AveragePool", kernel_shape=[2, 2], strides=[2, 2])
    s.conv(6, 16, 5)
    s.add("Tanh")
    s.add("AveragePool", kernel_shape=[2, 2], strides=[2, 2])
    s.view_flat()
    s.fc(400, 120)
    s.add("Relu")
    s.fc(120, 84)
    s.add("Relu")
    s.fc(84, 10)
    s.add("LogSoftmax", axis=1)
    names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    return s.model("lenet5", labels=",".join(names))


def vgg64() -> onnx.ModelProto:
    """VGG-style RGB 64×64: (conv3 → BN → ReLU) ×2 → maxpool, three blocks, GAP, fc 10."""
    s = Seq([1, 3, 64, 64], seed=2)
    cin = 3
    for cout in (16, 32, 64):
        for _ in range(2):
            s.conv(cin, cout, 3, pads=[1, 1, 1, 1])
            s.bn(cout)
            s.add("Relu")
            cin = cout
        s.add("MaxPool", kernel_shape=[2, 2], strides=[2, 2])
    s.add("GlobalAveragePool")
    s.add("Flatten", axis=1)
    s.add("Dropout")
    s.fc(64, 10)
    s.add("Softmax", axis=-1)
    return s.model("vgg64")


def depthwise() -> onnx.ModelProto:
    """Depthwise-separable (MobileNet-style) 3×32×32: conv s2 → ReLU6 → dw3×3 → pw1×1 →
    LeakyReLU → dw with SAME_UPPER, stride 2 → pw → sigmoid → maxpool ceil_mode → GAP → MatMul +
    Add."""
    s = Seq([1, 3, 32, 32], seed=3)
    s.conv(3, 8, 3, strides=[2, 2], pads=[0, 0, 1, 1])
    s.add("Clip", s.const(np.array(0, np.float32)), s.const(np.array(6, np.float32)))
    s.conv(8, 8, 3, group=8, pads=[1, 1, 1, 1])
    s.conv(8, 16, 1)
    s.add("LeakyRelu", alpha=0.1)
    s.conv(16, 16, 3, group=16, auto_pad="SAME_UPPER", strides=[2, 2])
    s.conv(16, 24, 1)
    s.add("Sigmoid")
    s.add("MaxPool", kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
    s.add("Pad", s.const(np.array([0, 0, 1, 1, 0, 0, 0, 0], np.int64)))
    s.add("GlobalAveragePool")
    s.add("Reshape", s.const(np.array([-1, 24], np.int64)))
    s.add("MatMul", s.w(24, 5, scale=0.2))
    s.add("Add", s.w(5, scale=0.1))
    return s.model("depthwise")


def keras_nhwc() -> onnx.ModelProto:
    """What tf2onnx writes for a small Keras CNN: NHWC input, Transpose to NCHW, conv, pool,
    Transpose back to NHWC before Flatten, Dense (MatMul + Add), Softmax."""
    s = Seq(["unk__1", 32, 32, 3], seed=4, name="input_1")
    s.add("Transpose", perm=[0, 3, 1, 2])
    s.conv(3, 8, 3, auto_pad="SAME_UPPER")
    s.add("Relu")
    s.add("MaxPool", kernel_shape=[2, 2], strides=[2, 2])
    s.conv(8, 8, 3, auto_pad="VALID")
    s.add("Relu")
    s.add("Transpose", perm=[0, 2, 3, 1])
    s.add("Reshape", s.const(np.array([-1, 14 * 14 * 8], np.int64)))
    s.add("MatMul", s.w(14 * 14 * 8, 10, scale=0.05))
    s.add("Add", s.w(10, scale=0.1))
    s.add("Softmax", axis=-1)
    return s.model("keras_nhwc")


FIXTURES = {"lenet5": lenet5, "vgg64": vgg64, "depthwise": depthwise, "keras_nhwc": keras_nhwc}


def residual() -> onnx.ModelProto:
    """conv → relu → Add(relu, input): a residual branch, plus an unsupported Erf."""
    s = Seq([1, 1, 8, 8])
    x = s.cur
    s.conv(1, 1, 3, pads=[1, 1, 1, 1])
    s.add("Relu")
    s.add("Add", x)
    s.add("Erf")
    return s.model("residual")
