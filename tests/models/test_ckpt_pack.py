"""Compact checkpoint format 2: exact round trip through a file, the error bound, deltas on one
shared grid, the ±LEVELS limit when decoding, and every shipped file within 2 MB."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.models import checkpoints as ck
from app.models import ckpt_pack

SHIPPED = Path(__file__).resolve().parents[2] / "app" / "models" / "shipped" / "checkpoints"


def _raw(n: int = 4) -> list[dict[str, np.ndarray]]:
    rng = np.random.default_rng(0)
    base = {"conv1.W": rng.normal(size=(4, 1, 3, 3)), "conv2.W": rng.normal(size=(5, 4, 3, 3)),
            "affine1.W": rng.normal(size=(20, 6)), "affine1.b": rng.normal(size=6)}
    return [{k: (v * (1 + i / 4)).astype(np.float32) for k, v in base.items()} for i in range(n)]


def test_quantised_weights_are_within_half_a_step_on_one_grid() -> None:
    raw = _raw()
    snaps = ckpt_pack.quantize_all(raw)
    assert snaps[0]["conv1.W"].dtype == np.float16 and snaps[0]["affine1.b"].dtype == np.float16
    for k, unit_axis in (("affine1.W", 1), ("conv2.W", 0)):
        scale = snaps[0][k + ".scale"]
        assert scale.shape[unit_axis] == raw[0][k].shape[unit_axis] and scale.size == \
            raw[0][k].shape[unit_axis]
        assert all(np.array_equal(s[k + ".scale"], scale) for s in snaps)  # shared by all
        assert max(int(np.abs(s[k]).max()) for s in snaps) == ckpt_pack.LEVELS
        for r, s in zip(raw, snaps, strict=True):
            back = ck.dequantize(s)[k]
            assert np.all(np.abs(back - r[k]) <= scale / 2 + 1e-6)


def test_file_round_trip_is_exact_and_stores_deltas(tmp_path: Path) -> None:
    snaps = ckpt_pack.quantize_all(_raw())
    cks = ck.Checkpoints(np.arange(4), np.zeros(4), np.zeros(4), snaps, np.zeros((3, 3)))
    ck.save(tmp_path / "c.npz", cks)
    with np.load(tmp_path / "c.npz", allow_pickle=False) as z:
        assert int(z["format"]) == 2 and z["s1/affine1.W"].dtype == np.int8
        np.testing.assert_array_equal(z["s1/affine1.W"], snaps[1]["affine1.W"].astype(np.int16)
                                      - snaps[0]["affine1.W"])
    back = ck.load(tmp_path / "c.npz")
    for i in range(4):
        a, b = ck.dequantize(back.snaps[i]), ck.dequantize(snaps[i])
        assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("last", [ckpt_pack.LEVELS, ckpt_pack.LEVELS + 1])
def test_decoding_accepts_levels_and_refuses_levels_plus_one(tmp_path: Path, last: int) -> None:
    arrays = {"steps": np.arange(2), "val_loss": np.zeros(2), "val_accuracy": np.zeros(2),
              "curve": np.zeros((1, 3)), "format": np.array(2), "scale/a.W": np.ones((1, 2)),
              "s0/a.W": np.full((2, 2), 1, np.int8), "s1/a.W": np.full((2, 2), last - 1, np.int8)}
    np.savez(tmp_path / "c.npz", **arrays)
    if last > ckpt_pack.LEVELS:
        with pytest.raises(ValueError):
            ck.load(tmp_path / "c.npz")
    else:
        assert ck.load(tmp_path / "c.npz").params(1)["a.W"].tolist() == [[last] * 2] * 2


@pytest.mark.parametrize("model_id", ["simple-convnet", "slide4-cnn", "color-vgg"])
def test_shipped_checkpoints_weigh_at_most_2_mb(model_id: str) -> None:
    path = SHIPPED / f"{model_id}.npz"
    assert path.exists(), f"{model_id}: its checkpoints are not shipped"
    assert path.stat().st_size <= 2_000_000
    with np.load(path, allow_pickle=False) as z:
        assert int(z["format"]) == 2
