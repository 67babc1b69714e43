"""The fixtures import, match onnx.reference (at import) and onnxruntime on every layer, and
describe themselves (shapes, parameter formulas, FLOPs, labels); unsupported graphs are refused
naming every node."""

from __future__ import annotations

import numpy as np
import pytest

from app.errors import ApiError
from app.models.onnx_import import OnnxLimits, import_onnx, labels_from
from tests.onnx_import.fixtures import FIXTURES, lenet5, residual, vgg64
from tests.onnx_import.ort import run_ort


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixture_matches_reference_and_onnxruntime_on_every_layer(name: str) -> None:
    proto = FIXTURES[name]()
    imp = import_onnx(proto.SerializeToString())
    assert imp.match is not None and imp.match.max_error < 1e-5
    assert imp.match.layers == len(imp.model.steps)
    assert "matches the ONNX reference to" in imp.match.badge()
    model = imp.model
    fixed = proto.graph.input[0].type.tensor_type.shape.dim[0].dim_value  # 0: symbolic N
    x = np.random.default_rng(5).random((fixed or 3, *model.input_shape), dtype=np.float32)
    feed = x.transpose(0, 2, 3, 1) if model.input_layout == "NHWC" else x
    ref = run_ort(proto, feed, [s.tensor for s in model.steps])
    for step, stage in zip(model.steps, model.forward_stages(x)[1:], strict=True):
        r = ref[step.tensor].reshape(stage.data.shape)
        np.testing.assert_allclose(stage.data, r, atol=2e-5 * (1 + np.abs(r).max()),
                                   err_msg=f"{name} {step.name}")
    probs = model.predict(x)
    assert probs.shape == (len(x), model.classes)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_keras_nhwc_input_is_read_as_chw() -> None:
    model = import_onnx(FIXTURES["keras_nhwc"]().SerializeToString()).model
    assert model.input_layout == "NHWC" and model.input_shape == (3, 32, 32)
    assert model.steps[0].kind == "conv"  # the leading Transpose is folded away


def test_lenet_describe_formulas_flops_and_labels() -> None:
    model = import_onnx(lenet5().SerializeToString()).model
    rows = {r["name"]: r for r in model.describe()}
    assert rows["conv1"]["formula"] == "6·1·5·5 + 6 = 156" and rows["conv1"]["params"] == 156
    assert rows["conv1"]["output_shape"] == [6, 28, 28]
    assert rows["conv1"]["flops"] == 2 * 6 * 28 * 28 * 25
    assert rows["conv2"]["formula"] == "16·6·5·5 + 16 = 2416"
    assert rows["flatten1"]["output_shape"] == [400]  # the view() chain folded into one step
    assert rows["flatten1"]["op"] == "Reshape"
    assert rows["affine1"]["formula"] == "400·120 + 120 = 48120"
    assert model.param_count() == 156 + 2416 + 48120 + 10164 + 850
    assert labels_from(model, None)[:2] == ["zero", "one"]
    assert labels_from(model, "a\nb\n") == [str(i) for i in range(10)]  # wrong count: indices
    assert labels_from(model, "\n".join("abcdefghij")) == list("abcdefghij")


def test_vgg_batchnorm_is_its_own_stage() -> None:
    model = import_onnx(vgg64().SerializeToString()).model
    kinds = [s.kind for s in model.steps]
    assert kinds[:3] == ["conv", "batchnorm", "relu"] and kinds.count("batchnorm") == 6
    assert [s.name for s in model.steps][-2:] == ["affine1", "softmax1"]
    assert model.steps[1].formula == "4·16 = 64 (γ, β, mean, var)"


def test_residual_and_unknown_op_are_refused_naming_each_node() -> None:
    with pytest.raises(ApiError) as e:
        import_onnx(residual().SerializeToString())
    assert e.value.code == "onnx_unsupported" and e.value.status == 422
    msg = e.value.params["details"]
    assert "Add (node 'Add_" in msg and "residual" in msg
    assert "Erf (node 'Erf_" in msg and "not supported" in msg


def test_disagreement_beyond_tolerance_is_refused_saying_where() -> None:
    with pytest.raises(ApiError) as e:
        import_onnx(lenet5().SerializeToString(), OnnxLimits(tolerance=-1.0))
    assert e.value.code == "onnx_mismatch" and e.value.params["layer"] == "conv1"
