"""GET /api/models lists the shipped models, the permanent imported ones (CONVSCOPE_MODELS_DIR)
and only those uploaded models whose ids the caller names in ?include= (at most 8; the 9th is
a 422); stale ids are left out, so a page's old localStorage never breaks the list."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.cli import main
from app.config import Settings
from app.main import create_app
from tests.onnx_import.fixtures import lenet5

LENET = lenet5().SerializeToString()


def _ids(c: TestClient, query: str = "") -> list[str]:
    r = c.get("/api/models" + query)
    assert r.status_code == 200, r.text
    return [row["id"] for row in r.json()["models"]]


def test_uploaded_models_listed_only_when_included(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path))) as c:
        shipped = _ids(c)
        assert shipped and not any(i.startswith("onnx-") for i in shipped)
        a = c.post("/api/models", files={"file": ("m.onnx", LENET)}, data={"name": "mine"})
        b = c.post("/api/models", files={"file": ("m.onnx", LENET)})
        ida, idb = a.json()["id"], b.json()["id"]
        assert _ids(c) == shipped  # privacy: nobody sees uploads they do not name
        assert _ids(c, f"?include={ida}") == shipped + [ida]
        assert _ids(c, f"?include={idb},{ida},{idb}") == shipped + [idb, ida]
        row = c.get(f"/api/models?include={ida}").json()["models"][-1]
        assert row == {"id": ida, "name": "mine", "name_ja": None, "input_shape": [1, 28, 28],
                       "accuracy": None,
                       "params": c.get(f"/api/models/{ida}").json()["params"],
                       "conv_layers": ["conv1", "conv2"], "curve_url": None}
        assert c.get(f"/api/models/{ida}").json()["name"] == "mine"  # not the cached twin's
        gone = "onnx-" + "x" * 24  # well formed, never stored (or expired)
        assert _ids(c, f"?include={gone},{ida}") == shipped + [ida]


def test_include_limit_and_format(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path))) as c:
        shipped = _ids(c)
        eight = ",".join(f"onnx-{'a' * 20}{i}" for i in range(8))
        assert _ids(c, f"?include={eight}") == shipped  # LIMIT: accepted (none stored)
        nine = eight + ",onnx-" + "b" * 20
        r = c.get(f"/api/models?include={nine}")  # LIMIT + 1
        assert r.status_code == 422, r.text
        for bad in ("simple-convnet", "onnx-", "onnx-a,", "onnx-a b", "onnx-" + "c" * 65):
            assert c.get("/api/models", params={"include": bad}).status_code == 422, bad


@pytest.mark.parametrize("upload_too", [False, True])
def test_permanent_models_listed(tmp_path: Path, upload_too: bool) -> None:
    src = tmp_path / "lenet.onnx"
    src.write_bytes(LENET)
    models = tmp_path / "models"
    assert main(["import-onnx", str(src), "--out", str(models), "--name", "class-lenet"]) == 0
    with TestClient(create_app(Settings(data_dir=tmp_path / "d", models_dir=models))) as c:
        ids = _ids(c)
        assert ids[-1] == "onnx-class-lenet" and ids.count("onnx-class-lenet") == 1
        if upload_too:
            up = c.post("/api/models", files={"file": ("m.onnx", LENET)}).json()["id"]
            assert _ids(c, f"?include=onnx-class-lenet,{up}") == ids + [up]
