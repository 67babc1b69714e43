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


# ---- issue 16 item 10: hostile pickles made only of allowed names ------------------------------
# Each runs `convscope import-dlfs` in a child of a small wrapper process, so a segfault cannot
# kill pytest and the wrapper's RUSAGE_CHILDREN is that one run's peak RSS. The child's address
# space is capped at 2 GiB so that a regression fails the test instead of swapping the machine.
_WRAPPER = """
import json, resource, subprocess, sys, time
def cap():
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=60, preexec_fn=cap)
print(json.dumps({"rc": p.returncode, "err": p.stderr, "out": p.stdout,
                  "seconds": time.perf_counter() - t,
                  "rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""
HOSTILE = {
    "void_scalar_segfault": "numpy._core.multiarray.scalar",
    "shared_list_walk": "more than 10,000 objects",
    "object_reconstruct": "_reconstruct(ndarray, (1000000000,), 'O')",
    "memo_index_bomb": "memo index 4294967294",
}


def run_import_dlfs(pkl: Path, out: Path) -> dict:
    import subprocess
    import sys

    cli = [sys.executable, "-c", "import sys; from app.cli import main; sys.exit(main())",
           "import-dlfs", str(pkl), "--out", str(out)]
    wrapped = subprocess.run([sys.executable, "-c", _WRAPPER, *cli], capture_output=True,
                             text=True, timeout=90, cwd=Path(__file__).resolve().parents[2])
    assert wrapped.returncode == 0, wrapped.stderr
    return json.loads(wrapped.stdout)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_pickle_ends_in_a_clear_message(tmp_path: Path, name: str) -> None:
    from tests.models import hostile_pickles

    pkl = tmp_path / f"{name}.pkl"
    pkl.write_bytes(getattr(hostile_pickles, name)())
    r = run_import_dlfs(pkl, tmp_path / "out.npz")
    print(f"{name}: {pkl.stat().st_size} bytes, rc {r['rc']}, {r['seconds']:.2f} s, "
          f"peak RSS {r['rss_mib']:.0f} MiB")
    assert r["rc"] == 2  # an exit code, never a signal (a segfault would be -11)
    assert r["err"].startswith("convscope import-dlfs: ") and r["err"].count("\n") == 1
    assert HOSTILE[name] in r["err"] and "Traceback" not in r["err"]
    assert r["rss_mib"] < 300
    assert not (tmp_path / "out.npz").exists()


def test_hostile_pickle_sizes_are_the_issues() -> None:
    from tests.models import hostile_pickles as h

    assert len(h.shared_list_walk()) == 10_021
    assert len(h.object_reconstruct()) < 100 and len(h.void_scalar_segfault()) < 300


def test_dtype_with_fields_or_flags_is_refused_even_without_scalar() -> None:
    from tests.models.hostile_pickles import void_scalar_segfault

    data = void_scalar_segfault()
    # without the `scalar` call, the V8 dtype with an object field is the first refusal
    start = data.index(b"cnumpy\ndtype\n")
    with pytest.raises(UnsafePickleError, match="dtype 'V8'"):
        safe_load_pickle(b"\x80\x02" + data[start:data.index(b"C\x08AAAA")] + b".")
    f8 = pickle.dumps(np.dtype("<f8"), protocol=2)
    assert safe_load_pickle(f8) == np.dtype("<f8")
    for forged in (f8.replace(b"K\x00t", b"K\x3ft"),  # object flags on a float
                   f8.replace(b"NNN", b"NX\x01\x00\x00\x00f\x85}")):  # names + fields
        with pytest.raises(UnsafePickleError, match="dtype"):
            safe_load_pickle(forged)


def test_other_names_and_opcodes_are_refused() -> None:
    with pytest.raises(UnsafePickleError, match="numpy._core.multiarray.scalar"):
        safe_load_pickle(pickle.dumps(np.float64(1.5)))
    with pytest.raises(UnsafePickleError, match="collections.OrderedDict"):
        safe_load_pickle(pickle.dumps(__import__("collections").OrderedDict(a=1)))
    with pytest.raises(UnsafePickleError, match="opcode INST"):
        safe_load_pickle(b"(inumpy\nndarray\n.")
    from app.models.safe_pickle import PickleLimitError

    with pytest.raises(PickleLimitError, match="not callable"):  # ndarray((5,)) is no call
        safe_load_pickle(b"\x80\x02cnumpy\nndarray\nK\x05\x85R.")
    with pytest.raises(PickleLimitError, match="not a readable pickle"):  # BUILD on the token
        safe_load_pickle(b"\x80\x02cnumpy\nndarray\n}X\x01\x00\x00\x00aK\x01sb.")


def test_big_endian_fortran_and_protocol_0_arrays_load() -> None:
    a = np.asfortranarray(np.arange(12, dtype=">i4").reshape(3, 4))
    for protocol in (0, 2, 5):
        got = safe_load_pickle(pickle.dumps({"a": a, "t": (a[0], [a.T])}, protocol=protocol))
        np.testing.assert_array_equal(got["a"], a)
        np.testing.assert_array_equal(got["t"][1][0], a.T)


def test_pickle_limits_at_limit_and_limit_plus_one(monkeypatch: pytest.MonkeyPatch) -> None:
    import app.models.safe_pickle as sp

    at = pickle.dumps(list(range(sp.MAX_NODES - 1)))  # the list + its items = MAX_NODES visits
    assert len(safe_load_pickle(at)) == sp.MAX_NODES - 1
    with pytest.raises(sp.PickleLimitError, match="more than 10,000 objects"):
        safe_load_pickle(pickle.dumps(list(range(sp.MAX_NODES))))
    nested: list = []
    for _ in range(sp.MAX_DEPTH):
        nested = [nested]
    safe_load_pickle(pickle.dumps(nested))
    with pytest.raises(sp.PickleLimitError, match="deeper than 20"):
        safe_load_pickle(pickle.dumps([nested]))
    monkeypatch.setattr(sp, "MAX_ARRAY_BYTES", 4000)
    assert safe_load_pickle(pickle.dumps(np.zeros(1000, np.float32))).shape == (1000,)
    with pytest.raises(sp.PickleLimitError, match=r"shape \(1001,\) \(4,004 bytes\)"):
        safe_load_pickle(pickle.dumps(np.zeros(1001, np.float32)))
    data = pickle.dumps([1, 2, 3], protocol=2)
    n = sp.scan_opcodes(data)
    monkeypatch.setattr(sp, "MAX_OPCODES", n)
    assert safe_load_pickle(data) == [1, 2, 3]
    monkeypatch.setattr(sp, "MAX_OPCODES", n - 1)
    with pytest.raises(sp.PickleLimitError, match="opcodes"):
        safe_load_pickle(data)


def test_shape_and_data_must_agree_before_anything_is_allocated() -> None:
    data = pickle.dumps(np.zeros(4, np.float32), protocol=3)
    lying = data.replace(b"K\x04\x85", b"J\x00\xca\x9a\x3b\x85")  # shape (10**9,), 16 bytes
    assert lying != data
    with pytest.raises(Exception, match=r"needs 4,000,000,000 bytes|larger than"):
        safe_load_pickle(lying)
