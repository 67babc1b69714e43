"""The training loop: seeded mini-batches, Adam (or SGD), optional random shifts, callbacks.

Deterministic for a seed: one ``np.random.default_rng(seed)`` draws the shuffles and the shifts
(the initial weights come from ``build(model_id, seed)``). No progress-bar library in here: the
caller passes ``on_batch`` / ``on_epoch`` callbacks.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from .augment import random_affine, random_shift
from .network import Network
from .optim import SGD, Adam


@dataclass(frozen=True)
class TrainConfig:
    """epochs; batch_size; lr (peak); schedule "cosine" (lr·½(1+cos πk/K) down to lr·min_lr_ratio)
    or "constant"; optimizer "adam" | "sgd"; max_shift pixels of random shift (0 = none);
    weight_decay: AdamW's decoupled decay of the weights (0 = plain Adam); max_rotate_deg,
    max_scale > 0 switch to random affine warps (rotation, scale, sub-pixel shift)."""

    epochs: int = 10
    batch_size: int = 100
    lr: float = 0.001
    seed: int = 0
    optimizer: str = "adam"
    schedule: str = "cosine"
    min_lr_ratio: float = 0.02
    max_shift: int = 0
    weight_decay: float = 0.0
    max_rotate_deg: float = 0.0
    max_scale: float = 0.0

    def augment(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The batch as the network sees it: warped, shifted, or unchanged."""
        if self.max_rotate_deg > 0 or self.max_scale > 0:
            return random_affine(x, rng, max_shift=self.max_shift,
                                 max_rotate_deg=self.max_rotate_deg, max_scale=self.max_scale)
        return random_shift(x, self.max_shift, rng) if self.max_shift else x


@dataclass(frozen=True)
class BatchInfo:
    epoch: int          # 1-based
    step: int           # 1-based within the epoch
    steps: int          # batches per epoch
    loss: float         # this batch
    accuracy: float     # this batch (on the augmented inputs)


@dataclass
class EpochResult:
    epoch: int
    lr: float
    train_loss: float       # mean over the epoch's batches
    train_accuracy: float   # mean over the epoch's batches
    val_loss: float | None
    val_accuracy: float | None
    seconds: float


@dataclass
class History:
    epochs: list[EpochResult] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {"epochs": [asdict(e) for e in self.epochs], "seconds": self.seconds}


def lr_at(config: TrainConfig, step: int, total: int) -> float:
    """Learning rate for global step (0-based) of total steps under config.schedule."""
    if config.schedule == "constant" or total <= 1:
        return config.lr
    lo = config.lr * config.min_lr_ratio
    return lo + (config.lr - lo) * 0.5 * (1.0 + math.cos(math.pi * step / (total - 1)))


def evaluate(net: Network, x: np.ndarray, t: np.ndarray,
             batch_size: int = 100) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of net on x (N, C, H, W) with labels t (N,)."""
    probs = net.predict(x, batch_size)
    loss = float(-np.log(probs[np.arange(len(t)), t] + 1e-7).mean())
    return loss, float((probs.argmax(axis=1) == t).mean())


def train(net: Network, x: np.ndarray, t: np.ndarray, config: TrainConfig,
          x_val: np.ndarray | None = None, t_val: np.ndarray | None = None,
          on_batch: Callable[[BatchInfo], None] | None = None,
          on_epoch: Callable[[EpochResult], None] | None = None) -> History:
    """Train net in place on x (N, C, H, W) float32, labels t (N,) int; returns the history."""
    if len(x) != len(t) or len(x) == 0:
        raise ValueError(f"{len(x)} inputs and {len(t)} labels: need the same, non-zero count")
    if config.optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd', not {config.optimizer!r}")
    rng = np.random.default_rng(config.seed)
    opt = Adam(config.lr, weight_decay=config.weight_decay) if config.optimizer == "adam" \
        else SGD(config.lr)
    steps = math.ceil(len(x) / config.batch_size)
    total, history, start = steps * config.epochs, History(), time.perf_counter()
    t = np.asarray(t, np.int64)
    for epoch in range(1, config.epochs + 1):
        t0, losses, accs = time.perf_counter(), [], []
        order = rng.permutation(len(x))
        for step in range(steps):
            idx = order[step * config.batch_size:(step + 1) * config.batch_size]
            xb = config.augment(x[idx], rng)
            opt.lr = lr_at(config, (epoch - 1) * steps + step, total)
            loss, grads = net.gradient(xb, t[idx])
            opt.update(net.params, grads)
            assert net.loss_layer.y is not None
            acc = float((net.loss_layer.y.argmax(axis=1) == t[idx]).mean())
            losses.append(loss)
            accs.append(acc)
            if on_batch is not None:
                on_batch(BatchInfo(epoch, step + 1, steps, loss, acc))
        val_loss = val_acc = None
        if x_val is not None and t_val is not None and len(x_val):
            val_loss, val_acc = evaluate(net, x_val, np.asarray(t_val, np.int64))
        result = EpochResult(epoch, opt.lr, float(np.mean(losses)), float(np.mean(accs)),
                             val_loss, val_acc, time.perf_counter() - t0)
        history.epochs.append(result)
        if on_epoch is not None:
            on_epoch(result)
    history.seconds = time.perf_counter() - start
    return history
