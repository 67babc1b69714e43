"""IDX files (MNIST, Fashion-MNIST, KMNIST): read, find a pair in a folder, split.

IDX header: 4-byte big-endian magic (2051 = uint8 images with 3 dims, 2049 = uint8 labels with
1 dim), then one big-endian uint32 per dimension, then the bytes. Files may be gzip-compressed.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049


class IdxError(ValueError):
    """A file that is not the IDX data we expect (bad magic, truncated, counts differ...)."""


def _read_bytes(path: str | os.PathLike[str]) -> bytes:
    p = Path(path)
    if not p.is_file():
        raise IdxError(f"{p}: no such file")
    raw = p.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise IdxError(f"{p}: damaged gzip data ({e})") from e
    return raw


def read_idx(path: str | os.PathLike[str], magic: int) -> np.ndarray:
    """The uint8 array in an IDX file whose magic must equal ``magic`` (2051 or 2049)."""
    data = _read_bytes(path)
    ndim = {IMAGES_MAGIC: 3, LABELS_MAGIC: 1}[magic]
    head = 4 + 4 * ndim
    found = int.from_bytes(data[:4], "big") if len(data) >= 4 else None
    if found is not None and found != magic:
        kind = "images" if magic == IMAGES_MAGIC else "labels"
        raise IdxError(f"{path}: magic number {found}, expected {magic} (IDX {kind} file)")
    if len(data) < head:
        raise IdxError(f"{path}: {len(data)} bytes, too short for an IDX header ({head} bytes)")
    dims = tuple(int(d) for d in np.frombuffer(data, ">u4", count=ndim, offset=4))
    expected = int(np.prod(dims))
    if len(data) - head != expected:
        raise IdxError(f"{path}: header says {' × '.join(map(str, dims))} = {expected} bytes of "
                       f"data but the file holds {len(data) - head}")
    return np.frombuffer(data, np.uint8, offset=head).reshape(dims).copy()


def load_idx(images_path: str | os.PathLike[str],
             labels_path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (N, H, W), labels uint8 (N,)); IdxError if the counts differ."""
    x = read_idx(images_path, IMAGES_MAGIC)
    t = read_idx(labels_path, LABELS_MAGIC)
    if len(x) != len(t):
        raise IdxError(f"{images_path} holds {len(x)} images but {labels_path} holds "
                       f"{len(t)} labels")
    return x, t


def find_idx_pair(folder: str | os.PathLike[str], prefix: str | None = None) -> tuple[Path, Path]:
    """The (images, labels) files in ``folder``: names like ``<prefix>-images-idx3-ubyte[.gz]``
    and ``<prefix>-labels-idx1-ubyte[.gz]`` (also ``.idx3-ubyte``). With several pairs, the
    ``train`` one is used unless ``prefix`` names another (e.g. ``t10k``, ``mnist8k``)."""
    d = Path(folder)
    if not d.is_dir():
        raise IdxError(f"{d}: no such folder (pass the folder holding the IDX files)")
    pairs: dict[str, tuple[Path, Path]] = {}
    for img in sorted(d.iterdir()):
        for sep in ("-images-idx3-ubyte", "-images.idx3-ubyte"):
            if sep in img.name:
                stem, tail = img.name.split(sep, 1)
                lab_name = stem + sep.replace("images", "labels").replace("idx3", "idx1") + tail
                alts = [d / lab_name, d / lab_name.removesuffix(".gz"), d / (lab_name + ".gz")]
                lab = next((p for p in alts if p.is_file()), None)
                if lab is not None:
                    pairs.setdefault(stem, (img, lab))
    if not pairs:
        raise IdxError(f"{d}: no IDX pair found (expected files like "
                       f"train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz)")
    if prefix is not None:
        if prefix not in pairs:
            raise IdxError(f"{d}: no pair with prefix {prefix!r}; found {sorted(pairs)}")
        return pairs[prefix]
    if len(pairs) == 1:
        return next(iter(pairs.values()))
    if "train" in pairs:
        return pairs["train"]
    raise IdxError(f"{d}: several IDX pairs {sorted(pairs)}; choose one with --prefix")


def split_indices(n: int, val: int, test: int = 0,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A seeded permutation of range(n) cut into (train, validation, test) index arrays."""
    if val < 0 or test < 0 or val + test >= n:
        raise ValueError(f"cannot hold out {val} + {test} of {n} examples and still train")
    perm = np.random.default_rng(seed).permutation(n)
    return np.sort(perm[val + test:]), np.sort(perm[:val]), np.sort(perm[val:val + test])


def to_float(images: np.ndarray) -> np.ndarray:
    """uint8 (N, H, W) → float32 (N, 1, H, W) in [0, 1]."""
    return (images.astype(np.float32) / np.float32(255.0))[:, None]
