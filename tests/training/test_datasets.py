"""IDX datasets for training runs: the data directory's pairs by prefix, and the extra folders
of the setting dataset_dirs (Debian's dataset-fashion-mnist) by folder name."""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from app.config import Settings
from app.errors import ApiError
from app.schemas.training import TrainingRequest
from app.services.training import service
from app.services.training.datasets import available
from app.services.training.job import load_dataset


def _pair(folder: Path, prefix: str, n: int = 3) -> np.ndarray:
    folder.mkdir(parents=True, exist_ok=True)
    x = np.arange(n * 28 * 28, dtype=np.uint32).reshape(n, 28, 28).astype(np.uint8)
    with gzip.open(folder / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, 28, 28) + x.tobytes())
    with gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
        f.write(struct.pack(">II", 0x801, n) + bytes(range(n)))
    return x


def test_extra_folders_are_named_by_folder_and_use_their_train_pair(tmp_path: Path) -> None:
    _pair(tmp_path / "data", "mnist8k")
    fashion = tmp_path / "fashion-mnist"
    _pair(fashion, "t10k", 2)
    x = _pair(fashion, "train", 3)
    dirs = os.pathsep.join([str(fashion), str(tmp_path / "missing")])
    names = available(tmp_path / "data", dirs)
    assert names == {"mnist8k": (tmp_path / "data", "mnist8k"), "fashion-mnist": (fashion, "train")}
    xs, t = load_dataset("fashion-mnist", 100, 0, str(tmp_path / "data"), dirs)
    assert xs.shape == (3, 1, 28, 28) and t.tolist() == [0, 1, 2]
    np.testing.assert_allclose(xs[:, 0] * 255, x, atol=1e-3)


def test_training_check_offers_the_extra_folder_only_when_set(tmp_path: Path) -> None:
    _pair(tmp_path / "fashion-mnist", "train")
    req = TrainingRequest(dataset="fashion-mnist")
    service.check(req, Settings(data_dir=tmp_path / "data",
                                dataset_dirs=str(tmp_path / "fashion-mnist")))
    with pytest.raises(ApiError) as e:
        service.check(req, Settings(data_dir=tmp_path / "data"))
    assert e.value.code == "unknown_dataset"


@pytest.mark.skipif(not Path("/usr/share/datasets/fashion-mnist").is_dir(),
                    reason="Debian's dataset-fashion-mnist is not installed")
def test_debian_fashion_mnist_package_is_found(tmp_path: Path) -> None:
    names = available(tmp_path, "/usr/share/datasets/fashion-mnist")
    assert names == {"fashion-mnist": (Path("/usr/share/datasets/fashion-mnist"), "train")}
    x, t = load_dataset("fashion-mnist", 100, 0, str(tmp_path), "/usr/share/datasets/fashion-mnist")
    assert x.shape == (100, 1, 28, 28) and set(t.tolist()) <= set(range(10))


def test_the_api_lists_every_dataset_with_its_input_shape(tmp_path: Path) -> None:
    """GET /api/training/datasets: what the page's Dataset list shows, shapes from the headers."""
    from fastapi.testclient import TestClient

    from app.main import create_app

    data, fashion = tmp_path / "data", tmp_path / "fashion-mnist"
    _pair(data, "mnist8k")
    _pair(fashion, "train")
    with gzip.open(data / "kmnist20-images-idx3-ubyte.gz", "wb") as f:  # a 20×20 set
        f.write(struct.pack(">IIII", 0x803, 2, 20, 20) + bytes(800))
    with gzip.open(data / "kmnist20-labels-idx1-ubyte.gz", "wb") as f:
        f.write(struct.pack(">II", 0x801, 2) + bytes(2))
    settings = Settings(data_dir=data, dataset_dirs=str(fashion))
    with TestClient(create_app(settings)) as client:
        r = client.get("/api/training/datasets")
    assert r.status_code == 200
    assert r.json()["datasets"] == [
        {"name": "synthetic", "input_shape": [3, 32, 32], "source": "generated"},
        {"name": "fashion-mnist", "input_shape": [1, 28, 28], "source": "dataset_dirs"},
        {"name": "kmnist20", "input_shape": [1, 20, 20], "source": "data_dir"},
        {"name": "mnist8k", "input_shape": [1, 28, 28], "source": "data_dir"},
    ]
