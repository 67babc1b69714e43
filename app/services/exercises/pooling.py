"""7.3 pooling: the 2×2 max pooling (stride 2) of a small integer feature map (slide 15).

The right map comes from the engine's max_pool2d; the slips: the sum, the mean or the minimum of
each window instead of its maximum."""

from __future__ import annotations

import random

import numpy as np

from app.engine import max_pool2d

from .core import Format, Kind, Problem


def max_pool(rng: random.Random) -> Problem:
    """(H, W) integers 0–9, H = W ∈ {4, 6}, 2×2 windows, stride 2 → (H/2, W/2)."""
    n = rng.choice((4, 4, 6))
    while True:
        x = np.array([[rng.randint(0, 9) for _ in range(n)] for _ in range(n)])
        win = x.reshape(n // 2, 2, n // 2, 2).transpose(0, 2, 1, 3).reshape(n // 2, n // 2, 4)
        if (win.max(-1) > win.min(-1)).all():  # no flat window: max ≠ mean ≠ min
            break
    pooled = max_pool2d(x[None, None].astype(np.float32), 2, 2)[0, 0]
    right = tuple(int(v) for v in pooled.reshape(-1))
    m = n // 2
    prob = Problem({"H": n, "W": n, "pool": 2, "stride": 2, "x": x.tolist()}, right,
                   Format("matrix", rows=m, cols=m),
                   params={"H": n, "OH": m, "answer": pooled.astype(int).tolist()})
    prob.add_mistake("sum_not_max", tuple(int(v) for v in win.sum(-1).reshape(-1)))
    if (win.sum(-1) % 4 == 0).all():
        prob.add_mistake("avg_not_max", tuple(int(v) for v in (win.sum(-1) // 4).reshape(-1)))
    prob.add_mistake("min_not_max", tuple(int(v) for v in win.min(-1).reshape(-1)))
    return prob


KINDS = (Kind("max-pool", "7.3", max_pool),)
