"""Training checkpoints: the step schedule, the int8/float16 packing, the recorder in a real
training run, and the file round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.engine import Network
from app.engine.train import TrainConfig, train
from app.models import checkpoints as ck
from tests.engine.test_train import LAYERS, bars


def test_schedule_30_steps_dense_early() -> None:
    s = ck.schedule(2400, 30)
    assert len(s) == 30 and s[0] == 0 and s[-1] == 2400
    assert all(b > a for a, b in zip(s, s[1:], strict=False))
    assert sum(v <= 240 for v in s) >= 12  # the first 10 % of training holds 12+ of them


@pytest.mark.parametrize(("total", "expected"), [(29, list(range(30))), (30, None), (0, [0])])
def test_schedule_at_and_beyond_one_per_step(total: int, expected: list[int] | None) -> None:
    s = ck.schedule(total, 30)
    if expected is not None:
        assert s == expected  # LIMIT: 30 checkpoints for 29 steps = every step
    else:
        assert len(s) == 30 and s[0] == 0 and s[-1] == 30 and len(set(s)) == 30


def test_quantize_round_trip_error_is_half_a_step() -> None:
    rng = np.random.default_rng(0)
    params = {"conv1.W": rng.standard_normal((4, 3, 3, 3)).astype(np.float32),
              "affine1.W": rng.standard_normal((50, 7)).astype(np.float32),
              "affine1.b": rng.standard_normal(7).astype(np.float32)}
    q = ck.quantize(params)
    assert q["affine1.W"].dtype == np.int8 and q["conv1.W"].dtype == np.float16
    back = ck.dequantize(q)
    scale = np.abs(params["affine1.W"]).max(axis=0) / 127
    assert np.all(np.abs(back["affine1.W"] - params["affine1.W"]) <= scale / 2 + 1e-7)
    np.testing.assert_allclose(back["conv1.W"], params["conv1.W"], rtol=1e-3, atol=1e-3)


def _recorded(count: int = 8) -> tuple[ck.Checkpoints, dict[str, np.ndarray], Network]:
    x, t = bars(300, 0)
    net = Network("t", "t", (1, 10, 10), LAYERS, seed=0)
    initial = {k: v.copy() for k, v in net.params.items()}
    cfg = TrainConfig(epochs=3, batch_size=30, lr=0.01, seed=0)
    rec = ck.Recorder(net, 3 * 10, x[:60], t[:60], count)
    train(net, x, t, cfg, on_batch=rec.on_batch)
    return rec.result(), initial, net


def test_recorder_takes_the_scheduled_steps_from_start_to_end(tmp_path: Path) -> None:
    cks, initial, net = _recorded()
    assert cks.steps.tolist() == ck.schedule(30, 8)
    np.testing.assert_allclose(cks.params(0)["conv1.W"], initial["conv1.W"], atol=2e-3)
    np.testing.assert_allclose(cks.params(len(cks.steps) - 1)["conv1.W"], net.params["conv1.W"],
                               atol=2e-3)
    assert cks.val_accuracy[-1] > cks.val_accuracy[0] + 0.3  # it learned: chance is 1/3
    assert cks.curve.shape == (30, 3) and cks.curve[:, 0].tolist() == list(range(1, 31))
    ck.save(tmp_path / "c.npz", cks)
    back = ck.load(tmp_path / "c.npz")
    assert back.steps.tolist() == cks.steps.tolist()
    for a, b in zip(back.snaps, cks.snaps, strict=True):
        assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def test_a_file_that_is_not_checkpoints_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "x.npz"
    np.savez(p, steps=np.arange(2), other=np.zeros(2))
    with pytest.raises(ValueError):
        ck.load(p)
