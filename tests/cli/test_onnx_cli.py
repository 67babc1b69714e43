"""`convscope import-onnx` writes a permanent model the server offers as onnx-NAME;
`convscope export-onnx` writes a shipped model as ONNX; refusals exit 2 with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import onnx
import pytest
from fastapi.testclient import TestClient

from app.cli import main
from app.config import Settings
from app.main import create_app
from tests.onnx_import.fixtures import lenet5, residual


def test_import_then_serve(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "lenet.onnx"
    src.write_bytes(lenet5().SerializeToString())
    models = tmp_path / "models"
    assert main(["import-onnx", str(src), "--out", str(models), "--name", "class-lenet"]) == 0
    assert "onnx-class-lenet: 13 layers" in capsys.readouterr().out
    record = json.loads((models / "class-lenet.json").read_text())
    assert record["badge"].startswith("matches the ONNX reference")
    with TestClient(create_app(Settings(data_dir=tmp_path / "d", models_dir=models))) as c:
        r = c.get("/api/models/onnx-class-lenet")
        assert r.status_code == 200 and r.json()["source"] == "onnx-file"
        assert c.get("/api/models/onnx-class-lenet/onnx").content == src.read_bytes()


def test_import_refusal_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "res.onnx"
    src.write_bytes(residual().SerializeToString())
    assert main(["import-onnx", str(src), "--out", str(tmp_path / "m")]) == 2
    assert "not a chain" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_export_shipped(tmp_path: Path) -> None:
    out = tmp_path / "s.onnx"
    assert main(["export-onnx", "simple-convnet", "--out", str(out)]) == 0
    m = onnx.load(str(out))
    onnx.checker.check_model(m)
    assert m.graph.input[0].name == "x"
    assert main(["export-onnx", "nope", "--out", str(out)]) == 2
