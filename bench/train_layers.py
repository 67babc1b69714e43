"""Per-layer timer of simple-convnet's training step: the core layers (layers.py) and the
training layers (fast/training.py, as Network.scores uses them) interleaved step by step in one
process, one thread, batch 100 of MNIST (or random digits); median ms per step and per layer.

Run: ``python -m bench.train_layers [steps]`` (default 20, after 2 warm-up steps).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

BATCH = 100


def _step(net: Any, layers: list[Any], opt: Any, xb: np.ndarray, tb: np.ndarray,
          times: dict[str, list[float]]) -> None:
    """One training step through layers, each forward / backward / the update timed."""
    def timed(name: str, f: Callable[..., Any], *args: Any) -> Any:
        start = time.perf_counter()
        out = f(*args)
        times.setdefault(name, []).append(time.perf_counter() - start)
        return out

    net.layers = layers
    names = [s["name"] for s in net.specs[:-1]]
    out = xb
    for name, layer in zip(names, layers[:-1], strict=True):
        out = timed("F " + name, layer.forward, out)
    timed("F loss", net.loss_layer.forward, out, tb)
    d = timed("B loss", net.loss_layer.backward, 1.0)
    for name, layer in zip(reversed(names), reversed(layers[:-1]), strict=True):
        d = timed("B " + name, layer.backward, d)
    grads = {k: getattr(layers[names.index(k.split(".")[0])], "d" + k.split(".")[1])
             for k in net.params}
    timed("adam", opt.update, net.params, grads)


def main(steps: int = 20) -> dict[str, float]:
    """Print the table; return the total ms per step of each variant."""
    from app.engine.fast.training import training_layers
    from app.engine.network import build
    from app.engine.optim import Adam
    from bench.common import pin_threads
    from bench.train import _digits

    print(pin_threads())
    x, t, source = _digits()
    nets = {v: build("simple-convnet", seed=0) for v in ("core", "fast")}
    opts = {v: Adam(0.001) for v in nets}
    times: dict[str, dict[str, list[float]]] = {v: {} for v in nets}
    for i in range(steps + 2):
        sl = slice(i * BATCH, (i + 1) * BATCH)
        for v, net in nets.items():
            layers = net._make_layers()
            _step(net, training_layers(layers) if v == "fast" else layers, opts[v], x[sl],
                  t[sl], times[v])
            if i < 2:
                times[v].clear()  # warm-up
    med = {v: {k: 1e3 * float(np.median(ts)) for k, ts in times[v].items()} for v in nets}
    print(f"simple-convnet training step, batch {BATCH}, {source}; median of {steps} steps, ms")
    print(f"  {'':10s} {'core':>7s} {'fast':>7s}")
    for k in sorted(med["core"], key=lambda k: -med["core"][k]):
        print(f"  {k:10s} {med['core'][k]:7.2f} {med['fast'][k]:7.2f}")
    total = {v: sum(med[v].values()) for v in nets}
    print(f"  {'total':10s} {total['core']:7.2f} {total['fast']:7.2f}  "
          f"({total['core'] / total['fast']:.2f}x faster)")
    return total


if __name__ == "__main__":
    from bench.common import reexec_without_coretype

    reexec_without_coretype()
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
