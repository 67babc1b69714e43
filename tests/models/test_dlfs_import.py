"""import-dlfs: the book's params.pkl converts and predicts the same; malicious pickles refused."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from app.cli import main
from app.engine import Network
from app.engine.network import ARCHITECTURES
from app.models.dlfs_import import (
    DlfsImportError,
    UnsafePickleError,
    load_dlfs_params,
    network_from_dlfs,
    safe_load_pickle,
)

SHAPES = {"W1": (30, 1, 5, 5), "b1": (30,), "W2": (4320, 100), "b2": (100,), "W3": (100, 10),
          "b3": (10,)}


def book_params(seed: int = 0) -> dict[str, np.ndarray]:
    """Arrays like the book's SimpleConvNet params (float64, weight_init_std-sized)."""
    rng = np.random.default_rng(seed)
    return {k: rng.standard_normal(s) * (0.05 if k.startswith("W") else 0.01)
            for k, s in SHAPES.items()}


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_real_pickle_converts_and_predicts_alike(tmp_path: Path, protocol: int) -> None:
    params = book_params()
    pkl = tmp_path / "params.pkl"
    with open(pkl, "wb") as f:
        pickle.dump(params, f, protocol=protocol)
    out = tmp_path / "models" / "dlfs.npz"
    assert main(["import-dlfs", str(pkl), "--out", str(out)]) == 0
    imported = Network.load(out)
    arch = ARCHITECTURES["simple-convnet"]
    names = {"W1": "conv1.W", "b1": "conv1.b", "W2": "affine1.W", "b2": "affine1.b",
             "W3": "affine2.W", "b3": "affine2.b"}
    direct = Network("x", "x", arch["input_shape"], arch["layers"],
                     {names[k]: v for k, v in params.items()})
    x = np.random.default_rng(1).random((5, 1, 28, 28), dtype=np.float32)
    np.testing.assert_array_equal(imported.predict(x), direct.predict(x))
    np.testing.assert_array_equal(imported.conv_weights("conv1"), params["W1"].astype(np.float32))
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["id"] == "dlfs" == imported.id and card["source"].startswith("imported from")


class Evil:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class EvalEvil:
    def __reduce__(self):
        return (eval, ("__import__('pathlib').Path('/tmp/never').touch()",))


def test_malicious_pickle_is_refused_without_running(tmp_path: Path, capsys) -> None:
    marker = tmp_path / "pwned"
    payload = {**book_params(), "W1": Evil(marker)}
    pkl = tmp_path / "evil.pkl"
    pkl.write_bytes(pickle.dumps(payload))
    with pytest.raises(UnsafePickleError, match=r"refused: the pickle wants (posix|os)\.system"):
        load_dlfs_params(pkl)
    assert main(["import-dlfs", str(pkl), "--out", str(tmp_path / "x.npz")]) == 2
    assert "refused" in capsys.readouterr().err
    assert not marker.exists()
    assert not (tmp_path / "x.npz").exists()
    with pytest.raises(UnsafePickleError, match="builtins.eval"):
        safe_load_pickle(pickle.dumps([EvalEvil()]))


def test_object_arrays_and_codecs_are_refused() -> None:
    with pytest.raises(UnsafePickleError, match="dtype object"):
        safe_load_pickle(pickle.dumps({"W1": np.array([1, "a"], dtype=object)}))
    forged = b"\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00aX\x04\x00\x00\x00zlib\x86R."
    with pytest.raises(UnsafePickleError, match="zlib"):
        safe_load_pickle(forged)


def test_wrong_contents_explained(tmp_path: Path) -> None:
    pkl = tmp_path / "p.pkl"
    pkl.write_bytes(pickle.dumps({k: v for k, v in book_params().items() if k != "b3"}))
    with pytest.raises(DlfsImportError, match="missing b3"):
        load_dlfs_params(pkl)
    pkl.write_bytes(pickle.dumps({**book_params(), "W2": np.zeros((10, 100))}))
    with pytest.raises(DlfsImportError, match=r"W2 has shape \(10, 100\)"):
        load_dlfs_params(pkl)
    pkl.write_bytes(b"not a pickle")
    with pytest.raises(DlfsImportError, match="not a readable pickle"):
        load_dlfs_params(pkl)
    pkl.write_bytes(pickle.dumps([1, 2]))
    with pytest.raises(DlfsImportError, match="holds a list"):
        load_dlfs_params(pkl)
    net = network_from_dlfs(book_params())
    assert net.conv_layer_names() == ["conv1"] and net.id == "dlfs-simple-convnet"


def test_numpy1_pickles_load(tmp_path: Path) -> None:
    """The book's file was written by numpy 1.x, whose pickles name numpy.core.multiarray."""
    data = pickle.dumps(book_params(), protocol=3)
    old = data.replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    assert old != data
    pkl = tmp_path / "params.pkl"
    pkl.write_bytes(old)
    got = load_dlfs_params(pkl)
    np.testing.assert_array_equal(got["W2"], book_params()["W2"].astype(np.float32))


def test_imported_model_is_served_from_the_models_dir(tmp_path: Path, monkeypatch) -> None:
    """CONVSCOPE_MODELS_DIR → ModelStore serves the import beside the shipped ones."""
    from app.config import Settings
    from app.models.store import ModelStore

    pkl = tmp_path / "params.pkl"
    pkl.write_bytes(pickle.dumps(book_params(3)))
    assert main(["import-dlfs", str(pkl), "--out", str(tmp_path / "mine" / "book.npz")]) == 0
    monkeypatch.setenv("CONVSCOPE_MODELS_DIR", str(tmp_path / "mine"))
    store = ModelStore.from_settings(Settings())
    assert {"book", "simple-convnet", "slide4-cnn"} <= set(store.ids())
    x = np.random.default_rng(2).random((2, 1, 28, 28), dtype=np.float32)
    np.testing.assert_array_equal(store.get("book").predict(x),
                                  network_from_dlfs(load_dlfs_params(pkl)).predict(x))
