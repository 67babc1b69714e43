"""Stroke-width augmentation: 3×3 grey dilation (thicker), cross erosion (thinner), and the
`convscope train --augment --stroke P` flag that mixes them into training."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from app.engine.augment import grey_dilate, grey_erode_cross, random_stroke

from .test_train import _write_idx


def test_grey_dilate_grows_a_pixel_into_its_3x3_block() -> None:
    x = np.zeros((2, 1, 6, 6), np.float32)
    x[0, 0, 2, 3] = 0.7
    x[1, 0, 0, 0] = 1.0  # a corner: zero outside, nothing wraps round
    out = grey_dilate(x)
    expect = np.zeros((6, 6), np.float32)
    expect[1:4, 2:5] = 0.7
    np.testing.assert_array_equal(out[0, 0], expect)
    assert out[1, 0, :2, :2].tolist() == [[1, 1], [1, 1]] and out[1, 0].sum() == 4
    assert out[1, 0, -1, -1] == 0 and x[0, 0].sum() == np.float32(0.7)  # input untouched


def test_grey_dilate_takes_the_neighbourhood_maximum() -> None:
    x = np.random.default_rng(0).random((3, 2, 7, 5), dtype=np.float32)
    out = grey_dilate(x)
    p = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    for i, j in ((0, 0), (3, 2), (6, 4)):
        np.testing.assert_array_equal(out[:, :, i, j], p[:, :, i:i + 3, j:j + 3].max(axis=(2, 3)))


def test_cross_erosion_peels_one_pixel_off_every_side() -> None:
    x = np.zeros((1, 1, 9, 9), np.float32)
    x[0, 0, 2:7, 2:7] = 1.0  # 5 × 5 square → its 3 × 3 interior
    out = grey_erode_cross(x)
    assert out.sum() == 9 and out[0, 0, 3:6, 3:6].all()
    line = np.zeros((1, 1, 9, 9), np.float32)
    line[0, 0, 1:8, 4] = 1.0  # a 1-pixel stroke disappears
    assert not grey_erode_cross(line).any()


def test_random_stroke_thickens_and_thins_a_seeded_fraction() -> None:
    x = np.zeros((400, 1, 12, 12), np.float32)
    x[:, 0, 3:9, 4:8] = 1.0
    ink = x.sum(axis=(1, 2, 3))
    out = random_stroke(x, np.random.default_rng(0), 0.5)
    grew, shrank = out.sum(axis=(1, 2, 3)) > ink, out.sum(axis=(1, 2, 3)) < ink
    assert 70 <= grew.sum() <= 130 and 70 <= shrank.sum() <= 130  # 100 of each expected
    assert (out.max(axis=(1, 2, 3)) <= 1).all() and out.min() >= 0
    np.testing.assert_array_equal(out, random_stroke(x, np.random.default_rng(0), 0.5))
    np.testing.assert_array_equal(random_stroke(x, np.random.default_rng(0), 0.0), x)


def test_cli_train_stroke_flag_reaches_the_card(tmp_path: Path) -> None:
    from app.cli import main

    rng = np.random.default_rng(0)
    t = rng.integers(0, 2, 200).astype(np.uint8)
    x = np.zeros((200, 28, 28), np.uint8)
    x[t == 0, 8:20, 13:15] = 255
    x[t == 1, 13:15, 8:20] = 255
    _write_idx(tmp_path, x, t)
    out = tmp_path / "s.npz"
    args = ["train", "--data", str(tmp_path), "--epochs", "1", "--val", "40", "--test", "40",
            "--augment", "--stroke", "0.5", "--no-progress"]
    assert main([*args, "--out", str(out)]) == 0
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["augment"]["stroke"] == 0.5
    thick = card["dilated_strokes"]
    assert set(thick) == {"validation_accuracy", "test_accuracy", "method"}
    assert 0 <= thick["test_accuracy"] <= 1
    again = tmp_path / "again.npz"  # deterministic for a seed, stroke draws included
    assert main([*args, "--out", str(again)]) == 0
    a, b = np.load(out), np.load(again)
    weights = [k for k in a.files if a[k].dtype.kind == "f"]
    assert weights and set(weights) == {k for k in b.files if b[k].dtype.kind == "f"}
    for key in weights:
        np.testing.assert_array_equal(a[key], b[key])
