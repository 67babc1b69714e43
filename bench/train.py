"""Benchmark: one training epoch of simple-convnet on 60,000 digits (issue 15: "on 60,000 28×28
images, synthetic or real": the shared 8,000 MNIST digits repeated), NumPy engine vs torch (CPU).

Both sides run on one thread (bench.common.pin_threads), the same architecture, batch 100,
Adam lr 0.001, the same initial weights and batch order, the better of ``repeats`` epochs each
(the machine may be shared). Prints the seconds and the ratio numpy / torch (target ≤ 2).
CONVSCOPE_BENCH_TRAIN_N sets another size (e.g. 7000 for a quick look);
CONVSCOPE_BENCH_TRAIN_CORE=1 also times the epoch through the core layers (layers.py, without
fast/training.py), interleaved with the others: the speed-up in one process.
Per layer: ``python -m bench.train_layers``.
Run: ``python -m bench.train`` (or ``make bench``, which runs it after bench.engine).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
N_TRAIN = int(os.environ.get("CONVSCOPE_BENCH_TRAIN_N", "60000"))
BATCH, LR, TARGET = 100, 0.001, 2.0


def _digits() -> tuple[np.ndarray, np.ndarray, str]:
    """N_TRAIN MNIST digits from CONVSCOPE_MNIST_DIR or ../shared/data/mnist (repeated when the
    folder has fewer), else random ones (the timing does not depend on the pixel values)."""
    from app.engine.data import IdxError, find_idx_pair, load_idx, to_float

    folder = os.environ.get("CONVSCOPE_MNIST_DIR", str(ROOT.parent / "shared" / "data" / "mnist"))
    try:
        x, t = load_idx(*find_idx_pair(folder))
        idx = np.arange(N_TRAIN) % len(x)
        return (to_float(x[idx]), t[idx].astype(np.int64),
                f"MNIST from {folder}" + (f", {len(x)} repeated" if len(x) < N_TRAIN else ""))
    except IdxError:
        rng = np.random.default_rng(0)
        return (rng.random((N_TRAIN, 1, 28, 28), dtype=np.float32),
                rng.integers(0, 10, N_TRAIN), "random digits (no MNIST folder found)")


def _numpy_epoch(x: np.ndarray, t: np.ndarray,
                 core: bool = False) -> tuple[float, dict[str, np.ndarray], float]:
    from app.engine import network
    from app.engine.train import TrainConfig, train

    net = network.build("simple-convnet", seed=0)
    if core:  # the core layers only: Network.scores without fast/training.py's variants
        net.scores = lambda xb: _core_scores(net, xb)  # type: ignore[method-assign]
    init = {k: v.copy() for k, v in net.params.items()}
    cfg = TrainConfig(epochs=1, batch_size=BATCH, lr=LR, seed=0, schedule="constant")
    start = time.perf_counter()
    h = train(net, x, t, cfg)
    return time.perf_counter() - start, init, h.epochs[0].train_loss


def _core_scores(net: Any, x: np.ndarray) -> np.ndarray:
    net.layers = net._make_layers()
    out = x
    for layer in net.layers[:-1]:
        out = layer.forward(out)
    return out


def _torch_epoch(x: np.ndarray, t: np.ndarray, init: dict[str, np.ndarray]) -> tuple[float, float]:
    import torch
    from torch import nn

    torch.set_num_threads(1)
    model = nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(4320, 100), nn.ReLU(), nn.Linear(100, 10))
    with torch.no_grad():  # the same initial weights (Linear keeps W transposed)
        model[0].weight.copy_(torch.from_numpy(init["conv1.W"]))
        model[0].bias.copy_(torch.from_numpy(init["conv1.b"]))
        model[4].weight.copy_(torch.from_numpy(init["affine1.W"].T.copy()))
        model[4].bias.copy_(torch.from_numpy(init["affine1.b"]))
        model[6].weight.copy_(torch.from_numpy(init["affine2.W"].T.copy()))
        model[6].bias.copy_(torch.from_numpy(init["affine2.b"]))
    opt = torch.optim.Adam(model.parameters(), lr=LR, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    order = np.random.default_rng(0).permutation(len(x))  # same order as the NumPy loop
    X, T = torch.from_numpy(x), torch.from_numpy(t)
    losses = []
    start = time.perf_counter()
    for i in range(0, len(x), BATCH):
        idx = torch.from_numpy(order[i:i + BATCH])
        opt.zero_grad()
        loss = loss_fn(model(X[idx]), T[idx])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return time.perf_counter() - start, float(np.mean(losses))


def main(repeats: int = 2) -> dict[str, Any]:
    """Run the benchmark, print a short report and return the figures."""
    from bench.common import pin_threads, verdict

    print(pin_threads())
    x, t, source = _digits()
    np_s = torch_s = core_s = float("inf")
    with_core = os.environ.get("CONVSCOPE_BENCH_TRAIN_CORE") == "1"
    print(f"load average {os.getloadavg()[0]:.2f} at the start")
    for _ in range(repeats):  # interleaved, best of each: fair under a varying load
        s, init, np_loss = _numpy_epoch(x, t)
        np_s = min(np_s, s)
        s, torch_loss = _torch_epoch(x, t, init)
        torch_s = min(torch_s, s)
        if with_core:
            s, _, core_loss = _numpy_epoch(x, t, core=True)
            core_s = min(core_s, s)
    ratio = np_s / torch_s
    print(f"train: one epoch of simple-convnet on {len(x)} digits ({source}), batch {BATCH}, "
          f"Adam, 1 thread")
    print(f"  numpy engine {np_s:7.2f} s (mean loss {np_loss:.4f})")
    print(f"  torch CPU    {torch_s:7.2f} s (mean loss {torch_loss:.4f})")
    if with_core:
        print(f"  core layers  {core_s:7.2f} s (mean loss {core_loss:.4f}): "
              f"{core_s / torch_s:.2f}x torch, the training layers {core_s / np_s:.2f}x faster")
    print(f"  ratio {ratio:.2f}x (target <= {TARGET:g}x): {verdict(ratio, TARGET)}; "
          f"load average {os.getloadavg()[0]:.2f} at the end")
    return {"name": "train", "numpy_s": np_s, "torch_s": torch_s, "ratio": ratio,
            "target": TARGET}


if __name__ == "__main__":
    from bench.common import reexec_without_coretype

    reexec_without_coretype()
    main()
