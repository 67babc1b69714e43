"""Hostile and oversized ONNX files: each refused with its documented code, naming the limit,
before the expensive step (limits at LIMIT and LIMIT+1; memory measured with tracemalloc)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from app.errors import ApiError
from app.models.onnx_import import OnnxLimits, build, import_onnx, parse
from tests.onnx_import.fixtures import Seq, lenet5


def _code(data: bytes, limits: OnnxLimits | None = None) -> ApiError:
    with pytest.raises(ApiError) as e:
        import_onnx(data, limits)
    return e.value


LENET = lenet5().SerializeToString()


def test_file_size_at_limit_and_beyond() -> None:
    assert import_onnx(LENET, OnnxLimits(max_bytes=len(LENET)), check=False).model
    e = _code(LENET, OnnxLimits(max_bytes=len(LENET) - 1))
    assert (e.code, e.status, e.limit) == ("onnx_file_too_large", 413, len(LENET) - 1)


@pytest.mark.parametrize("data", [LENET[: len(LENET) // 2], b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
                                  b"", bytes(range(256)) * 4, b"hello world"])
def test_truncated_and_non_onnx_files(data: bytes) -> None:
    e = _code(data)
    assert e.code == "onnx_invalid" and e.status in (400, 422)


def test_params_nodes_layers_and_budget_at_limit_and_beyond() -> None:
    proto = parse(LENET, OnnxLimits())
    model = build(proto, OnnxLimits())
    n_init = sum(int(np.prod(t.dims)) for t in proto.graph.initializer)
    nodes, layers, macs = len(proto.graph.node), len(model.steps), model.macs()
    assert import_onnx(LENET, OnnxLimits(max_params=n_init, max_nodes=nodes, max_layers=layers,
                                         max_macs=macs)).match
    for kw, code in (({"max_params": n_init - 1}, "onnx_too_many_params"),
                     ({"max_nodes": nodes - 1}, "onnx_too_many_nodes"),
                     ({"max_layers": layers - 1}, "onnx_too_many_layers"),
                     ({"max_macs": macs - 1}, "onnx_compute_budget")):
        e = _code(LENET, OnnxLimits(**kw))  # type: ignore[arg-type]
        assert e.code == code and e.status == 422 and e.limit == next(iter(kw.values()))


def test_input_size_at_limit_and_beyond() -> None:
    assert import_onnx(LENET, OnnxLimits(max_input_values=784), check=False)
    e = _code(LENET, OnnxLimits(max_input_values=783))
    assert (e.code, e.limit, e.params["size"]) == ("onnx_input_too_large", 783, 784)


def test_huge_declared_input_is_refused_before_the_checker() -> None:
    s = Seq([1, 3, 100_000, 100_000])
    s.add("Relu")
    m = s.model()
    e = _code(m.SerializeToString())
    assert e.code == "onnx_input_too_large" and e.params["size"] == 3 * 10**10


def test_enormous_declared_initializer_allocates_nothing() -> None:
    s = Seq([1, 1, 8, 8])
    s.add("Relu")
    m = s.model()
    big = TensorProto(name="big", data_type=TensorProto.FLOAT, dims=[100_000, 100_000],
                      raw_data=b"\0" * 16)
    m.graph.initializer.append(big)
    data = m.SerializeToString()
    tracemalloc.start()
    e = _code(data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert e.code == "onnx_too_many_params" and peak < 5_000_000
    lying = TensorProto(name="lie", data_type=TensorProto.FLOAT, dims=[1000], raw_data=b"\0" * 8)
    m.graph.initializer.pop()
    m.graph.initializer.append(lying)
    e = _code(m.SerializeToString())
    assert e.code == "onnx_invalid" and "declares 1000 values but holds 2" in e.params["detail"]


def test_external_data_is_refused() -> None:
    m = lenet5()
    t = m.graph.initializer[0]
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    t.external_data.add(key="location", value="../../etc/passwd")
    e = _code(m.SerializeToString())
    assert e.code == "onnx_external_data" and t.name in e.params["names"]


def _ld(field: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field (wire type 2)."""
    n, size = len(payload), b""
    while True:
        byte, n = n & 0x7F, n >> 7
        size += bytes([byte | (0x80 if n else 0)])
        if not n:
            break
    return bytes([field << 3 | 2]) + size + payload


def _nested_bytes(depth: int) -> bytes:
    """A ModelProto whose graph nests If → then_branch → graph `depth` deep, written on the
    wire by hand (protobuf itself refuses to build one past its depth limit)."""
    g = _ld(1, _ld(4, b"Relu"))  # GraphProto.node = {op_type: Relu}
    for _ in range(depth):
        attr = _ld(1, b"then_branch") + bytes([0xA0, 0x01, 5]) + _ld(6, g)
        g = _ld(1, _ld(4, b"If") + _ld(5, attr))
    return bytes([1 << 3, 8]) + _ld(7, g)  # ir_version 8, graph


@pytest.mark.parametrize("depth", [3, 90, 1000])
def test_deeply_nested_graphs(depth: int) -> None:
    data = _nested_bytes(depth)
    e = _code(data)
    assert e.code in ("onnx_invalid", "onnx_unsupported") and e.status in (400, 422)
    if depth == 1000:
        assert e.code == "onnx_invalid"  # protobuf's depth limit, before any of our code


def _nested(depth: int) -> onnx.ModelProto:
    out = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])
    leaf = helper.make_graph([helper.make_node("Constant", [], ["y"], value=helper.make_tensor(
        "v", TensorProto.FLOAT, [1], [1.0]))], "leaf", [], [out])
    g = leaf
    for i in range(depth):
        node = helper.make_node("If", ["c"], ["y"], name=f"if{i}", then_branch=g,
                                else_branch=leaf)
        g = helper.make_graph([node], f"g{i}", [], [out])
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 2, 2])
    top = helper.make_graph(list(g.node), "top", [x], [out])
    return helper.make_model(top, opset_imports=[helper.make_opsetid("", 17)])


def test_control_flow_and_custom_domain_named() -> None:
    m = _nested(2)
    e = _code(m.SerializeToString())
    assert e.code == "onnx_unsupported" and "If (node 'if1')" in e.params["details"]
    s = Seq([1, 1, 4, 4])
    s.add("Relu")
    s.nodes[-1].domain = "com.example"
    m = s.model()
    m.opset_import.append(helper.make_opsetid("com.example", 1))
    e = _code(m.SerializeToString())
    assert e.code in ("onnx_unsupported", "onnx_invalid")
