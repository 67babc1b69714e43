"""Which IDX datasets a training run may use: every image/label pair in the data directory, by
prefix ("train", "t10k", "fashion", ...), and each extra folder in the setting dataset_dirs
(os.pathsep-separated, e.g. Debian's /usr/share/datasets/fashion-mnist) by its folder name,
with that folder's "train" pair (or its only pair)."""

from __future__ import annotations

import os
from pathlib import Path


def idx_prefixes(data_dir: Path) -> list[str]:
    """Prefixes of the IDX image files in data_dir (e.g. "train", "t10k", "fashion")."""
    if not data_dir.is_dir():
        return []
    return sorted({p.name.split("-images")[0] for p in data_dir.iterdir()
                   if "-images-idx3-ubyte" in p.name or "-images.idx3-ubyte" in p.name})


def extra_dirs(dataset_dirs: str) -> dict[str, tuple[Path, str]]:
    """{folder name: (folder, prefix)} for each existing folder of dataset_dirs holding a pair."""
    out: dict[str, tuple[Path, str]] = {}
    for part in filter(None, dataset_dirs.split(os.pathsep)):
        folder = Path(part)
        prefixes = idx_prefixes(folder)
        if prefixes:
            out.setdefault(folder.name, (folder, "train" if "train" in prefixes else prefixes[0]))
    return out


def available(data_dir: Path, dataset_dirs: str) -> dict[str, tuple[Path, str]]:
    """Every IDX dataset name → (folder, prefix); the data directory's prefixes win a clash."""
    return extra_dirs(dataset_dirs) | {p: (data_dir, p) for p in idx_prefixes(data_dir)}
