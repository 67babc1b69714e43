"""Training checkpoints: ~30 snapshots of a network taken during its own training, small enough
to ship beside the model (a timeline students can scrub).

Steps are spaced by a power law, s_i = round(total · (i / (K−1))^2.5), so most snapshots fall in
the first epochs where the filters change fastest (step 0 = the initial weights, the last = the
final ones). Files are written in the compact format 2 (app.models.ckpt_pack: conv1 and the
biases float16, every other weight on a shared ±14 integer grid per output unit, delta coded);
format-1 files (all conv weights float16, affine int8 per snapshot) still load. The file also
holds the per-batch training loss/accuracy and the
held-out loss/accuracy at every snapshot. A plain .npz, loaded with allow_pickle=False.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.engine.network import Network
from app.models import ckpt_pack

DEFAULT_COUNT = 30


def schedule(total: int, count: int = DEFAULT_COUNT, power: float = 2.5) -> list[int]:
    """Strictly increasing global steps in [0, total], 0 and total included, at most count."""
    if total <= 0:
        return [0]
    count = max(2, min(count, total + 1))
    steps = [0]
    for i in range(1, count):
        s = int(round(total * (i / (count - 1)) ** power))
        steps.append(min(total, max(s, steps[-1] + 1)))
    # the max(...) may push the tail past total when total is small: keep it increasing
    out = sorted(set(min(s, total) for s in steps))
    return out


def quantize(params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One snapshot's arrays: affine W (ndim 2) → int8 '<k>' + float32 '<k>.scale' (units,);
    everything else float16."""
    out: dict[str, np.ndarray] = {}
    for k, v in params.items():
        if v.ndim == 2:
            scale = np.abs(v).max(axis=0) / 127.0
            scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
            out[k] = np.clip(np.rint(v / scale), -127, 127).astype(np.int8)
            out[k + ".scale"] = scale
        else:
            out[k] = v.astype(np.float16)
    return out


def dequantize(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The float32 parameters of one snapshot (inverse of quantize, up to rounding)."""
    out: dict[str, np.ndarray] = {}
    for k, v in arrays.items():
        if k.endswith(".scale"):
            continue
        if v.dtype == np.int8:
            scale = arrays[k + ".scale"]
            out[k] = v.astype(np.float32) * (scale if scale.ndim == v.ndim else scale[None, :])
        else:
            out[k] = v.astype(np.float32)
    return out


@dataclass
class Checkpoints:
    """steps (K,); val_loss, val_accuracy (K,) at each; snaps[i] = quantized arrays of step i;
    curve (S, 3): global step, batch loss, batch accuracy of every training batch."""

    steps: np.ndarray
    val_loss: np.ndarray
    val_accuracy: np.ndarray
    snaps: list[dict[str, np.ndarray]]
    curve: np.ndarray

    def index(self, step: int) -> int:
        """Index of the snapshot at `step` exactly; KeyError listing none when absent."""
        hits = np.flatnonzero(self.steps == step)
        if not len(hits):
            raise KeyError(step)
        return int(hits[0])

    def params(self, i: int) -> dict[str, np.ndarray]:
        return dequantize(self.snaps[i])

    def nbytes(self) -> int:
        return int(sum(a.nbytes for s in self.snaps for a in s.values()))


def save(path: str | os.PathLike[str], ck: Checkpoints) -> None:
    """Write one format-2 .npz: 'steps', 'val_loss', 'val_accuracy', 'curve' and
    ckpt_pack.encode's arrays. The snapshots must come from ckpt_pack.quantize_all."""
    arrays: dict[str, np.ndarray] = {
        "steps": ck.steps.astype(np.int64), "val_loss": ck.val_loss.astype(np.float32),
        "val_accuracy": ck.val_accuracy.astype(np.float32), "curve": ck.curve.astype(np.float32)}
    arrays.update(ckpt_pack.encode(ck.snaps))
    # np.savez_compressed's layout (name.npy members), deflated at level 9 (they ship with the
    # image: ~3 % smaller than the default level 6)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, a in arrays.items():
            with z.open(f"{name}.npy", "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.asanyarray(a), allow_pickle=False)


def load(path: str | os.PathLike[str]) -> Checkpoints:
    """Read a file written by save (allow_pickle=False); ValueError when it is not one."""
    with np.load(path, allow_pickle=False) as z:
        files = {k: z[k] for k in z.files}
    try:
        steps = files.pop("steps")
        snaps: list[dict[str, np.ndarray]] = [{} for _ in steps]
        head = {k: files.pop(k) for k in ("val_loss", "val_accuracy", "curve")}
        if int(files.pop("format", 1)) == ckpt_pack.FORMAT:
            snaps = ckpt_pack.decode(files, len(steps))
        else:
            for k, v in files.items():
                i, name = k.split("/", 1)
                snaps[int(i[1:])][name] = v
    except (KeyError, ValueError, IndexError) as e:
        raise ValueError(f"{os.fspath(path)}: not a checkpoint file ({e})") from e
    return Checkpoints(steps, head["val_loss"], head["val_accuracy"], snaps, head["curve"])


class Recorder:
    """Collects checkpoints while `train` runs: pass `recorder.on_batch` as its on_batch. At
    each scheduled global step it snapshots net.params and evaluates (x_val, t_val)."""

    def __init__(self, net: Network, total_steps: int, x_val: np.ndarray, t_val: np.ndarray,
                 count: int = DEFAULT_COUNT,
                 evaluate: Callable[[Network, np.ndarray, np.ndarray], tuple[float, float]]
                 | None = None,
                 chain: Callable[[Any], None] | None = None) -> None:
        from app.engine.train import evaluate as default_evaluate

        self.net, self.x_val, self.t_val, self.chain = net, x_val, t_val, chain
        self.evaluate = evaluate or default_evaluate
        self.wanted = schedule(total_steps, count)
        self.steps: list[int] = []
        self.val: list[tuple[float, float]] = []
        self.raw: list[dict[str, np.ndarray]] = []
        self.curve: list[tuple[int, float, float]] = []
        self._take(0)

    def _take(self, step: int) -> None:
        self.steps.append(step)
        self.val.append(self.evaluate(self.net, self.x_val, self.t_val))
        self.raw.append({k: np.array(v, np.float32) for k, v in self.net.params.items()})

    def on_batch(self, b: Any) -> None:
        """train's on_batch: b.epoch (1-based), b.step (1-based), b.steps, b.loss, b.accuracy."""
        step = (b.epoch - 1) * b.steps + b.step
        self.curve.append((step, float(b.loss), float(b.accuracy)))
        if step in self.wanted and step not in self.steps:
            self._take(step)
        if self.chain is not None:
            self.chain(b)

    def result(self) -> Checkpoints:
        v = np.array(self.val, np.float64).reshape(-1, 2)
        return Checkpoints(np.array(self.steps, np.int64), v[:, 0], v[:, 1],
                           ckpt_pack.quantize_all(self.raw),
                           np.array(self.curve, np.float32).reshape(-1, 3))
