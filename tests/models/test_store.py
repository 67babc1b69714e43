"""Issue 16 items 4-6: a bad file in the models directory never stops startup; what a model
declares is checked before its weights are read; unusual or non-finite models are refused (or
answered with a documented 4xx); a full disk while saving is a clear error."""

from __future__ import annotations

import errno
import os
import resource
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.cli import main
from app.config import get_settings
from app.engine.network import Network, build
from app.errors import ApiError
from app.models import checks as model_checks
from app.models import files as model_files
from app.models.card import ModelWriteError, write_model
from app.models.checks import ModelCheckError, check_architecture, check_values
from app.models.files import ModelFileError
from app.models.store import SHIPPED_DIR, ModelEntry, ModelStore, load_model
from app.services.predict import json_preparation, predict
from tests.models.hostile_models import tiny_layers, tiny_net, write_all_bad

LOGGER = "convscope.models"


@pytest.fixture
def bad_dir(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    d, outside = tmp_path / "models", tmp_path / "outside"
    d.mkdir()
    outside.mkdir()
    return d, write_all_bad(d, outside)


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


def test_every_bad_file_is_skipped_and_logged_once_with_its_reason(
        bad_dir: tuple[Path, dict[str, str]], caplog: pytest.LogCaptureFixture) -> None:
    d, reasons = bad_dir
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with caplog.at_level("WARNING", logger=LOGGER):
        store = ModelStore.from_dirs([d])
    assert store.ids() == ["good"]
    assert store.entry("good").curve is None  # good.png → /etc/passwd is not served
    logs = _messages(caplog)
    for name, reason in reasons.items():
        hits = [m for m in logs if f"{d / name} " in m or f"{d / name}:" in m]
        assert len(hits) == 1, (name, hits)
        assert reason in hits[0], (name, hits[0])
    # the 1.5 GiB deflate bombs were never inflated (ru_maxrss is in KiB on Linux)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert grown_mib < 200


def test_symlink_inside_the_folder_is_followed(tmp_path: Path) -> None:
    tiny_net().save(tmp_path / "v1.npz")
    os.symlink("v1.npz", tmp_path / "latest.npz")
    assert ModelStore.from_dirs([tmp_path]).ids() == ["latest", "v1"]


@pytest.fixture
def served_bad_dir(bad_dir: tuple[Path, dict[str, str]],
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CONVSCOPE_MODELS_DIR", str(bad_dir[0]))
    get_settings.cache_clear()
    yield bad_dir[0]
    monkeypatch.delenv("CONVSCOPE_MODELS_DIR")
    get_settings.cache_clear()


def test_the_real_app_starts_with_a_folder_full_of_bad_files(served_bad_dir: Path) -> None:
    from app.main import create_app

    app = create_app()
    with TestClient(app) as c:  # runs the lifespan, which loads the store
        ids = [m["id"] for m in c.get("/api/models").json()["models"]]
        assert ids == [*sorted(p.stem for p in SHIPPED_DIR.glob("*.npz")), "good"]
        assert c.get("/api/models/good/curve.png").status_code == 404
        for refused in ("x", "rgb", "no-filters", "nan"):  # refused at load: documented 4xx
            r = c.get(f"/api/models/{refused}/filters")
            assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_model"
            r = c.post("/api/convolve", json={"input": [[0.5] * 8] * 8, "spec": {
                "kernel": {"model": refused, "layer": "conv1"}}})
            assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_model"
        r = c.post("/api/models/good/predict", json={"input": [[0.5] * 28] * 28})
        assert r.status_code == 200 and len(r.json()["probabilities"]) == 10


# ---- header-level limits, at LIMIT and LIMIT + 1 ------------------------------------------------
def test_file_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tiny_net().save(tmp_path / "m.npz")
    size = (tmp_path / "m.npz").stat().st_size
    monkeypatch.setattr(model_files, "MAX_FILE_BYTES", size)
    assert load_model(tmp_path / "m.npz", tmp_path).param_count() == tiny_net().param_count()
    monkeypatch.setattr(model_files, "MAX_FILE_BYTES", size - 1)
    with pytest.raises(ModelFileError, match=f"larger than {size - 1:,} bytes"):
        load_model(tmp_path / "m.npz", tmp_path)


def test_member_size_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tiny_net().save(tmp_path / "m.npz")
    with zipfile.ZipFile(tmp_path / "m.npz") as z:
        sizes = [i.file_size for i in z.infolist()]
    monkeypatch.setattr(model_files, "MAX_MEMBER_BYTES", max(sizes))
    monkeypatch.setattr(model_files, "MAX_TOTAL_BYTES", sum(sizes))
    load_model(tmp_path / "m.npz", tmp_path)
    monkeypatch.setattr(model_files, "MAX_TOTAL_BYTES", sum(sizes) - 1)
    with pytest.raises(ModelFileError, match="uncompressed; at most"):
        load_model(tmp_path / "m.npz", tmp_path)
    monkeypatch.setattr(model_files, "MAX_MEMBER_BYTES", max(sizes) - 1)
    with pytest.raises(ModelFileError, match=f"declares {max(sizes):,} bytes"):
        load_model(tmp_path / "m.npz", tmp_path)


def test_member_count_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tiny_net().save(tmp_path / "m.npz")
    monkeypatch.setattr(model_files, "MAX_MEMBERS", 6)  # the tiny model has 6 entries
    load_model(tmp_path / "m.npz", tmp_path)
    monkeypatch.setattr(model_files, "MAX_MEMBERS", 5)
    with pytest.raises(ModelFileError, match="declares 6 entries"):
        load_model(tmp_path / "m.npz", tmp_path)


def test_a_zip64_end_record_is_refused_before_zipfile_reads_its_counts(tmp_path: Path) -> None:
    tiny_net().save(tmp_path / "m.npz")
    data = (tmp_path / "m.npz").read_bytes()
    at = data.rindex(b"PK\x05\x06")
    locator = b"PK\x06\x07" + bytes(16)  # would point zipfile at a zip64 record
    (tmp_path / "m.npz").write_bytes(data[:at] + locator + data[at:])
    with pytest.raises(ModelFileError, match="zip64"):
        load_model(tmp_path / "m.npz", tmp_path)


def test_arrays_must_match_the_architecture(tmp_path: Path) -> None:
    net = tiny_net()
    net.params["extra.W"] = np.zeros(3, np.float32)
    net.save(tmp_path / "m.npz")
    with pytest.raises(ModelCheckError, match="do not fit the architecture.*extra.W"):
        load_model(tmp_path / "m.npz", tmp_path)


def test_non_finite_json_in_the_file_is_refused(tmp_path: Path) -> None:
    net = tiny_net()
    net.meta = {"validation_accuracy": float("nan")}
    net.save(tmp_path / "m.npz")
    with pytest.raises(ModelFileError, match="non-finite number NaN"):
        load_model(tmp_path / "m.npz", tmp_path)


def test_card_with_non_finite_accuracy_is_dropped(tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    tiny_net().save(tmp_path / "m.npz")
    (tmp_path / "m.json").write_text('{"validation_accuracy": 1e999}')
    with caplog.at_level("WARNING", logger=LOGGER):
        entry = ModelStore.from_dirs([tmp_path]).entry("m")
    assert entry.card == {} and entry.accuracy is None
    assert any("model card" in m and "non-finite" in m for m in _messages(caplog))


def test_too_many_files_in_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.models.store as modelstore

    for i in range(3):
        tiny_net(i).save(tmp_path / f"m{i}.npz")
    monkeypatch.setattr(modelstore, "MAX_MODEL_FILES", 3)
    assert ModelStore.from_dirs([tmp_path]).ids() == ["m0", "m1", "m2"]
    monkeypatch.setattr(modelstore, "MAX_MODEL_FILES", 2)
    assert ModelStore.from_dirs([tmp_path]).ids() == ["m0", "m1"]


# ---- what the architecture declares -------------------------------------------------------------
def _arch(layers: list[dict], shape: list[int] | None = None) -> dict:
    return {"id": "t", "name": "T", "input_shape": shape or [1, 28, 28], "layers": layers}


@pytest.mark.parametrize(("key", "low", "high"), [("filters", 1, model_checks.MAX_FILTERS),
                                                  ("units", 1, model_checks.MAX_UNITS)])
def test_layer_sizes_at_their_limits(key: str, low: int, high: int) -> None:
    hidden = {"name": "hidden", "type": "affine", "units": 10}
    layers = [*tiny_layers()[:3], hidden, *tiny_layers()[3:]]
    layer = layers[0] if key == "filters" else hidden

    def arch(value: object) -> dict:
        return _arch([{**s, key: value} if s is layer else s for s in layers])

    for ok in (low, high):
        assert check_architecture(arch(ok))["conv1.W" if key == "filters" else "hidden.b"][0] \
            == ok
    for bad in (low - 1, high + 1, True, 2.0, "3"):
        with pytest.raises(ModelCheckError, match=f"{key} = "):
            check_architecture(arch(bad))


@pytest.mark.parametrize(("arch", "reason"), [
    (_arch(tiny_layers(), [3, 28, 28]), "input_shape"),
    (_arch(tiny_layers()[:3] + tiny_layers()[4:]), "vector of 1-1000 class scores"),
    (_arch(tiny_layers()[:-1]), "the last layer"),
    (_arch([{**tiny_layers()[0], "size": 29}, *tiny_layers()[1:]]), "does not fit"),
    (_arch([{**tiny_layers()[0], "bias": 1}, *tiny_layers()[1:]]), "unknown settings"),
    (_arch([*tiny_layers()[:1], {"name": "conv1", "type": "relu"}, *tiny_layers()[2:]]),
     "must be unique"),
    (_arch([{"name": "x", "type": "lstm"}]), "unknown type"),
    ([1, 2], "not a JSON object"),
])
def test_unusable_architectures_are_refused(arch: object, reason: str) -> None:
    with pytest.raises(ModelCheckError, match=reason):
        check_architecture(arch)


def test_weight_magnitude_at_the_limit() -> None:
    check_values({"w": np.array([model_checks.MAX_ABS_WEIGHT, -1.0], np.float32)})
    over = np.nextafter(np.float32(model_checks.MAX_ABS_WEIGHT), np.float32(np.inf))
    with pytest.raises(ModelCheckError, match="beyond"):
        check_values({"w": np.array([over], np.float32)})


# ---- unusual models built in code: never served, or a documented 4xx ----------------------------
def test_store_refuses_unusable_networks_built_in_code(caplog: pytest.LogCaptureFixture) -> None:
    rgb = tiny_net(input_shape=(3, 28, 28))
    nan = tiny_net()
    nan.params["conv1.W"][0, 0, 0, 0] = np.nan
    entries = [ModelEntry(i, n, Path(f"{i}.npz")) for i, n in
               (("rgb", rgb), ("nan", nan), ("zero", tiny_net(filters=0)),
                ("nounits", tiny_net(units=0)), ("ok", tiny_net()))]
    with caplog.at_level("ERROR", logger=LOGGER):
        assert ModelStore(entries).ids() == ["ok"]
    assert len(_messages(caplog)) == 4


def test_predict_on_an_unusual_network_is_a_documented_422() -> None:
    x = np.full((28, 28), 0.5, np.float32)
    with pytest.raises(ApiError) as e:
        predict(tiny_net(input_shape=(3, 28, 28)), x, json_preparation())
    assert (e.value.status, e.value.code, e.value.field) == (422, "model_input_mismatch",
                                                             "model_id")
    assert "3×28×28" in e.value.message_en and "3×28×28" in e.value.message_ja


def _overflowing() -> Network:
    """Weights at the ±1e6 limit that overflow float32 at affine4 (7.8e14 · 1e8 per layer)."""
    layers = [{"name": "conv1", "type": "conv", "filters": 1, "size": 1, "stride": 1, "pad": 0}]
    layers += [{"name": f"affine{i}", "type": "affine", "units": 100} for i in range(1, 5)]
    layers += [{"name": "softmax", "type": "softmax"}]
    params = {"conv1.W": np.full((1, 1, 1, 1), 1e6), "conv1.b": np.zeros(1),
              "affine1.W": np.full((784, 100), 1e6)}
    for i in range(1, 5):
        params[f"affine{i}.b"] = np.zeros(100)
        if i > 1:
            params[f"affine{i}.W"] = np.full((100, 100), 1e6)
    return Network("big", "Big", (1, 28, 28), layers, params)


def test_an_overflowing_prediction_is_a_422_never_a_non_finite_number() -> None:
    net = _overflowing()
    store = ModelStore([ModelEntry("big", net, Path("big.npz"))])
    assert store.ids() == ["big"]  # every weight within the limit
    from app.deps import get_models
    from app.main import create_app

    app = create_app()
    app.dependency_overrides[get_models] = lambda: store
    with TestClient(app) as c:
        r = c.post("/api/models/big/predict", json={"input": [[1.0] * 28] * 28})
        assert r.status_code == 422
        assert r.json()["error"] == {"code": "non_finite_output", "field": "model_id",
                                     "limit": "affine4", "message": r.json()["error"]["message"]}
        ja = c.post("/api/models/big/predict", json={"input": [[1.0] * 28] * 28},
                    headers={"Accept-Language": "ja"})
        assert "あふれます" in ja.json()["error"]["message"]
        zero = c.post("/api/models/big/predict", json={"input": [[0.0] * 28] * 28})
        assert zero.status_code == 200
        assert zero.json()["probabilities"] == [float(np.float32(0.01))] * 100


# ---- a full disk while saving -------------------------------------------------------------------
def test_enospc_while_writing_a_model_is_a_clear_error(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: Network, path: str) -> None:
        Path(path).write_bytes(b"PK")  # half a file, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Network, "save", full)
    with pytest.raises(ModelWriteError, match="No space left on device") as e:
        write_model(build("simple-convnet"), tmp_path / "m.npz", {})
    assert e.value.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []  # no half-written model left behind


def test_import_dlfs_on_a_full_disk_exits_1_with_one_line(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture) -> None:
    import pickle

    from tests.models.test_dlfs_import import book_params

    (tmp_path / "p.pkl").write_bytes(pickle.dumps(book_params()))

    def full(self: Network, path: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Network, "save", full)
    assert main(["import-dlfs", str(tmp_path / "p.pkl"), "--out", str(tmp_path / "o.npz")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("convscope import-dlfs: cannot write") and "No space left" in err
    assert "Traceback" not in err and not (tmp_path / "o.npz").exists()


def test_train_on_a_full_disk_exits_1_with_one_line(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture) -> None:
    import struct

    x = np.zeros((60, 28, 28), np.uint8)
    x[::2, 8:20, 13:15] = 255
    t = (np.arange(60) % 2).astype(np.uint8)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(
        struct.pack(">IIII", 2051, *x.shape) + x.tobytes())
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(
        struct.pack(">II", 2049, len(t)) + t.tobytes())

    def full(self: Network, path: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Network, "save", full)
    out = tmp_path / "models" / "m.npz"
    assert main(["train", "--data", str(tmp_path), "--epochs", "1", "--val", "10", "--test",
                 "10", "--out", str(out), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert err == f"convscope train: cannot write {out}: No space left on device\n"
    assert list(out.parent.iterdir()) == []
