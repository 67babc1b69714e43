"""Models a student builds in PyTorch, exported by torch.onnx.export (torch from the bench/dev
extra; skipped without it): a LeNet-5 for 28×28 digits exported by the README's own lines, a
small VGG-style RGB net at 64×64 with BatchNorm, a depthwise-separable net. Each imports, and
ConvScope's engine gives torch's own outputs on every layer it can name (and onnxruntime's)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.models.onnx_import import import_onnx
from tests.onnx_import.ort import run_ort

torch = pytest.importorskip("torch")
nn = torch.nn
ROOT = Path(__file__).resolve().parents[2]


class LeNet5(nn.Module):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(1, 6, 5, padding=2), nn.Conv2d(6, 16, 5)
        self.f1, self.f2, self.f3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x: Any) -> Any:
        x = torch.max_pool2d(torch.relu(self.c1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.c2(x)), 2)
        x = x.view(x.size(0), -1)  # exported as Shape → Gather → Unsqueeze → Concat → Reshape
        return self.f3(torch.relu(self.f2(torch.relu(self.f1(x)))))


def vgg64() -> Any:
    layers: list[Any] = []
    cin = 3
    for cout in (8, 16):
        layers += [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(),
                   nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(),
                   nn.MaxPool2d(2)]
        cin = cout
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.5),
                         nn.Linear(16, 10))


def separable() -> Any:
    return nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU6(),
                         nn.Conv2d(8, 8, 3, padding=1, groups=8), nn.ReLU6(),  # depthwise
                         nn.Conv2d(8, 16, 1), nn.LeakyReLU(0.1), nn.AvgPool2d(2),
                         nn.Flatten(), nn.Linear(16 * 8 * 8, 5), nn.LogSoftmax(dim=1))


def _trained_looking(model: Any, seed: int) -> Any:
    """Eval mode with BatchNorm statistics that are not the identity (as after training)."""
    torch.manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    return model.eval()


def _export(model: Any, shape: tuple[int, ...], path: Path) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy exporter says it is legacy
        torch.onnx.export(model, torch.rand(1, *shape), str(path), input_names=["x"],
                          output_names=["scores"], dynamic_axes={"x": {0: "N"}},
                          opset_version=17, dynamo=False)
    return path.read_bytes()


def _check(data: bytes, model: Any, shape: tuple[int, ...]) -> Any:
    """Import; the engine's final output equals torch's and onnxruntime's on 4 random inputs."""
    imp = import_onnx(data)
    assert imp.match is not None and imp.match.max_error < 1e-5, imp.match
    assert imp.model.input_shape == shape
    x = np.random.default_rng(3).random((4, *shape), dtype=np.float32)
    with torch.no_grad():
        want = model(torch.from_numpy(x)).numpy()
    got = imp.model.forward_stages(x)[-1].data
    np.testing.assert_allclose(got, want, atol=2e-5 * (1 + np.abs(want).max()))
    ort = run_ort(__import__("onnx").load_from_string(data), x)["scores"]
    np.testing.assert_allclose(got, ort, atol=2e-5 * (1 + np.abs(ort).max()))
    return imp.model


def test_the_readmes_five_lines_export_a_lenet_that_imports(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's PyTorch lines, run as written with a student's `model`, in a fresh folder."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(import torch.*?)```", readme, re.S)
    assert code is not None
    model = LeNet5()
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code.group(1), "README.md", "exec"), {"model": model})  # noqa: S102
    engine = _check((tmp_path / "my-cnn.onnx").read_bytes(), model, (1, 28, 28))
    kinds = [s.kind for s in engine.steps]
    assert kinds == ["conv", "relu", "pool", "conv", "relu", "pool", "flatten", "affine", "relu",
                     "affine", "relu", "affine"]  # the view(x.size(0), -1) chain folded


def test_a_vgg_style_rgb_net_with_batchnorm(tmp_path: Path) -> None:
    model = _trained_looking(vgg64(), 1)
    engine = _check(_export(model, (3, 64, 64), tmp_path / "vgg.onnx"), model, (3, 64, 64))
    kinds = [s.kind for s in engine.steps]
    assert kinds.count("conv") == 4 and "global_pool" in kinds
    # BatchNorm is its own stage, or folded into the conv by the exporter; either way the
    # numbers above are torch's
    assert kinds.count("batchnorm") in (0, 4)


def test_a_depthwise_separable_net(tmp_path: Path) -> None:
    model = separable().eval()
    engine = _check(_export(model, (3, 32, 32), tmp_path / "sep.onnx"), model, (3, 32, 32))
    kinds = [s.kind for s in engine.steps]
    assert kinds[:5] == ["conv", "clip", "conv", "clip", "conv"]
    assert kinds[-1] == "log_softmax"
    depthwise = engine.steps[2]
    assert depthwise.out_shape == (8, 16, 16)
