"""7.2.2 convolution: one output cell of a small integer input × 3×3 filter + bias (slide 7).

The right value comes from the engine's conv2d (cross-correlation, no flip); the slips: bias
forgotten, filter flipped (the mathematicians' convolution), window taken at (j, i)."""

from __future__ import annotations

import random

import numpy as np

from app.engine import conv2d

from .core import Format, Kind, Problem


def _cell(x: np.ndarray, k: np.ndarray, b: int, i: int, j: int, pad: int) -> int:
    """conv2d(x, k, b, pad)[0, 0, i, j] as an int (small integers: exact in float32)."""
    out = conv2d(x[None, None].astype(np.float32), k[None, None].astype(np.float32),
                 np.array([b], np.float32), stride=1, pad=pad)
    return int(round(float(out[0, 0, i, j])))


def _problem(rng: random.Random, pad: int) -> Problem:
    n = rng.choice((4, 5))
    x = np.array([[rng.randint(0, 3) for _ in range(n)] for _ in range(n)])
    k = np.array([[rng.randint(0, 2) for _ in range(3)] for _ in range(3)])
    b = rng.randint(1, 5)
    oh = n + 2 * pad - 2
    if pad:  # a border cell, where the padding matters
        i, j = rng.choice([(i, j) for i in range(oh) for j in range(oh) if i in (0, oh - 1)
                           or j in (0, oh - 1)])
    else:
        i, j = rng.randrange(oh), rng.randrange(oh)
    right = _cell(x, k, b, i, j, pad)
    xs, ks = x.tolist(), k.tolist()
    prob = Problem({"H": n, "W": n, "FH": 3, "FW": 3, "pad": pad, "stride": 1, "x": xs,
                    "filter": ks, "b": b, "cell": [i, j]}, (right,), Format("int", ("out",)),
                   params={"i": i, "j": j, "b": b, "P": pad, "OH": oh, "value": right,
                           "sum": right - b})
    prob.add_mistake("forgot_bias", (right - b,))
    prob.add_mistake("flipped_filter", (_cell(x, k[::-1, ::-1].copy(), b, i, j, pad),))
    if i != j:
        prob.add_mistake("swapped_cell", (_cell(x, k, b, j, i, pad),))
    if pad:
        unpadded = n - 2
        if i < unpadded and j < unpadded:  # the window of the unpadded input at (i, j)
            prob.add_mistake("forgot_padding", (_cell(x, k, b, i, j, 0),))
    return prob


def output_cell(rng: random.Random) -> Problem:
    """No padding, stride 1: out[i, j] = Σ x[i+u, j+v]·W[u, v] + b."""
    return _problem(rng, 0)


def padded_cell(rng: random.Random) -> Problem:
    """Padding 1 (zeros), stride 1, a border cell of the H×W output."""
    return _problem(rng, 1)


KINDS = (
    Kind("output-cell", "7.2.2", output_cell),
    Kind("padded-cell", "7.2.3", padded_cell),
)
