"""IDX reader: gzip and plain; bad magic, wrong counts, truncation refused; pairs; split."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from app.engine.augment import random_shift
from app.engine.data import IdxError, find_idx_pair, load_idx, read_idx, split_indices


def idx_bytes(arr: np.ndarray, magic: int) -> bytes:
    return struct.pack(">I", magic) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.tobytes()


def write_pair(folder: Path, prefix: str, n: int = 5,
               gz: bool = True) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(n)
    x = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    t = rng.integers(0, 10, n, dtype=np.uint8)
    ext = ".gz" if gz else ""
    op = gzip.compress if gz else (lambda b: b)
    (folder / f"{prefix}-images-idx3-ubyte{ext}").write_bytes(op(idx_bytes(x, 2051)))
    (folder / f"{prefix}-labels-idx1-ubyte{ext}").write_bytes(op(idx_bytes(t, 2049)))
    return x, t


@pytest.mark.parametrize("gz", [True, False])
def test_reads_gzip_and_plain(tmp_path: Path, gz: bool) -> None:
    x, t = write_pair(tmp_path, "train", 7, gz)
    img, lab = find_idx_pair(tmp_path)
    gx, gt = load_idx(img, lab)
    assert gx.dtype == np.uint8 and gx.shape == (7, 28, 28) and gt.shape == (7,)
    np.testing.assert_array_equal(gx, x)
    np.testing.assert_array_equal(gt, t)


def test_bad_magic_is_refused(tmp_path: Path) -> None:
    x, _ = write_pair(tmp_path, "train")
    # a label file where an image file is expected
    with pytest.raises(IdxError, match="magic number 2049, expected 2051"):
        read_idx(tmp_path / "train-labels-idx1-ubyte.gz", 2051)
    (tmp_path / "junk").write_bytes(b"\x00\x00\x08\x04" + b"\x00" * 20)
    with pytest.raises(IdxError, match="magic number 2052"):
        read_idx(tmp_path / "junk", 2051)


def test_wrong_counts_are_refused(tmp_path: Path) -> None:
    x, t = write_pair(tmp_path, "a", 5)
    (tmp_path / "b-labels-idx1-ubyte").write_bytes(idx_bytes(t[:4], 2049))
    with pytest.raises(IdxError, match="5 images but .* 4 labels"):
        load_idx(tmp_path / "a-images-idx3-ubyte.gz", tmp_path / "b-labels-idx1-ubyte")
    truncated = idx_bytes(x, 2051)[:-10]
    (tmp_path / "short").write_bytes(truncated)
    with pytest.raises(IdxError, match="3920 bytes of data but the file holds 3910"):
        read_idx(tmp_path / "short", 2051)
    (tmp_path / "tiny").write_bytes(b"\x00\x00")
    with pytest.raises(IdxError, match="too short"):
        read_idx(tmp_path / "tiny", 2049)
    with pytest.raises(IdxError, match="no such file"):
        read_idx(tmp_path / "missing", 2049)


def test_finding_pairs(tmp_path: Path) -> None:
    with pytest.raises(IdxError, match="no IDX pair"):
        find_idx_pair(tmp_path)
    write_pair(tmp_path, "t10k", gz=False)
    assert find_idx_pair(tmp_path)[0].name == "t10k-images-idx3-ubyte"
    write_pair(tmp_path, "train")
    assert find_idx_pair(tmp_path)[0].name == "train-images-idx3-ubyte.gz"  # train preferred
    assert find_idx_pair(tmp_path, "t10k")[1].name == "t10k-labels-idx1-ubyte"
    with pytest.raises(IdxError, match="no pair with prefix 'kmnist'"):
        find_idx_pair(tmp_path, "kmnist")
    with pytest.raises(IdxError, match="no such folder"):
        find_idx_pair(tmp_path / "nope")


def test_split_is_seeded_and_disjoint() -> None:
    tr, va, te = split_indices(100, 10, 5, seed=3)
    assert (len(tr), len(va), len(te)) == (85, 10, 5)
    assert len(set(tr) | set(va) | set(te)) == 100
    again = split_indices(100, 10, 5, seed=3)
    for a, b in zip((tr, va, te), again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(split_indices(100, 10, 5, seed=4)[1], va)
    with pytest.raises(ValueError, match="cannot hold out"):
        split_indices(10, 6, 4)


def test_random_shift_moves_pixels_within_range() -> None:
    x = np.zeros((50, 1, 9, 9), np.float32)
    x[:, 0, 4, 4] = 1.0
    out = random_shift(x, 2, np.random.default_rng(0))
    _, ys, xs = np.nonzero(out[:, 0])
    assert out.sum() == 50  # nothing lost: the dot stays inside
    assert set(ys) <= set(range(2, 7)) and set(xs) <= set(range(2, 7))
    assert len(set(zip(ys, xs, strict=True))) > 10  # many different shifts drawn
    np.testing.assert_array_equal(random_shift(x, 0, np.random.default_rng(0)), x)


def test_random_affine_warps() -> None:
    from app.engine.augment import random_affine

    x = np.random.default_rng(0).random((6, 1, 12, 12), dtype=np.float32)
    same = random_affine(x, np.random.default_rng(1), max_shift=0)
    np.testing.assert_allclose(same, x, atol=1e-6)
    dot = np.zeros((40, 1, 15, 15), np.float32)
    dot[:, 0, 7, 7] = 1.0  # the centre: rotation and scale keep it, shifts move it ≤ 2 px
    out = random_affine(dot, np.random.default_rng(2), max_shift=2, max_rotate_deg=15,
                        max_scale=0.1)
    assert out.shape == dot.shape and out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 1
    _, ys, xs = np.nonzero(out[:, 0] > 0.05)
    assert set(ys) <= set(range(4, 11)) and set(xs) <= set(range(4, 11))
    np.testing.assert_array_equal(
        random_affine(x, np.random.default_rng(5), max_rotate_deg=10),
        random_affine(x, np.random.default_rng(5), max_rotate_deg=10))
