"""Shape kinds: 3-D data and blocks (7.2.5–7.2.6), batches (7.2.7) and im2col (7.4.2).

Every right shape is the engine's: conv2d on zeros (N, C, H, W) · (FN, C, FH, FW) and im2col's
column matrix (N·OH·OW, C·FH·FW). The slips: FN and C mixed up, no +1, P instead of 2P, N or C
left out, the matrix transposed."""

from __future__ import annotations

import random

import numpy as np

from app.engine import conv2d, im2col

from .core import Format, Kind, Problem
from .geometry import _exact_side, _slips


def _conv_setup(rng: random.Random, batch: bool) -> dict[str, int]:
    s, p, f = rng.choice((1, 1, 2)), rng.choice((0, 1, 2)), rng.choice((3, 5))
    c = rng.choice((1, 3, 3, 4, 8, 16))
    fn = rng.choice([v for v in (2, 4, 6, 10, 16, 30, 32) if v != c])
    h = _exact_side(rng, f, p, s)
    n = rng.choice((2, 4, 5, 8, 10, 16)) if batch else 1
    return {"N": n, "C": c, "H": h, "W": h, "FN": fn, "FH": f, "FW": f, "pad": p, "stride": s}


def _text_params(d: dict[str, int]) -> dict[str, int]:
    return {**d, "P": d["pad"], "S": d["stride"]}


def _out_shape(d: dict[str, int]) -> tuple[int, ...]:
    x = np.zeros((d["N"], d["C"], d["H"], d["W"]), np.float32)
    w = np.zeros((d["FN"], d["C"], d["FH"], d["FW"]), np.float32)
    return tuple(int(v) for v in conv2d(x, w, 0.0, stride=d["stride"], pad=d["pad"]).shape)


def _layer(rng: random.Random, batch: bool) -> Problem:
    d = _conv_setup(rng, batch)
    right = _out_shape(d)
    n, _, oh, ow = right
    prob = Problem(dict(d), right, Format("shape", ("N", "FN", "OH", "OW")),
                   params={**_text_params(d), "OH": oh, "OW": ow})
    prob.add_mistake("fn_c_mixed", (n, d["C"], oh, ow))
    slips = _slips(d["H"], d["FH"], d["pad"], d["stride"])
    for mistake in ("forgot_plus_one", "p_not_2p"):
        prob.add_mistake(mistake, (n, d["FN"], slips[mistake], slips[mistake]))
    if batch:
        prob.add_mistake("n_fn_swapped", (d["FN"], n, oh, ow))
    return prob


def layer_shape(rng: random.Random) -> Problem:
    """One image (1, C, H, W) through FN filters (FN, C, FH, FW) → (1, FN, OH, OW)."""
    return _layer(rng, False)


def batch_shape(rng: random.Random) -> Problem:
    """A batch (N, C, H, W) through FN filters → (N, FN, OH, OW)."""
    return _layer(rng, True)


def filter_shape(rng: random.Random) -> Problem:
    """Input channels C, FN output channels, FH×FW → the filter weights (FN, C, FH, FW)."""
    d = _conv_setup(rng, False)
    right = (d["FN"], d["C"], d["FH"], d["FW"])
    assert _out_shape(d)[1] == d["FN"]  # the engine takes this bank and gives FN channels
    prob = Problem({k: d[k] for k in ("C", "H", "W", "FN", "FH", "FW")}, right,
                   Format("shape", ("FN", "C", "FH", "FW")), params=_text_params(d))
    prob.add_mistake("fn_c_mixed", (d["C"], d["FN"], d["FH"], d["FW"]))
    prob.add_mistake("forgot_c", (d["FN"], 1, d["FH"], d["FW"]))
    return prob


def im2col_problem(N: int, C: int, H: int, W: int, FH: int, FW: int, stride: int,
                   pad: int) -> Problem:
    """(N, C, H, W) and an FH×FW filter → the shape of im2col's col (N·OH·OW, C·FH·FW)."""
    col = im2col(np.zeros((N, C, H, W), np.float32), FH, FW, stride=stride, pad=pad)
    rows, cols = (int(v) for v in col.shape)
    oh, ow = (H + 2 * pad - FH) // stride + 1, (W + 2 * pad - FW) // stride + 1
    d = {"N": N, "C": C, "H": H, "W": W, "FH": FH, "FW": FW, "pad": pad, "stride": stride}
    prob = Problem(dict(d), (rows, cols), Format("shape", ("rows", "cols")),
                   params={**_text_params(d), "OH": oh, "OW": ow, "rows": rows, "cols": cols})
    prob.add_mistake("transposed", (cols, rows))
    prob.add_mistake("forgot_n", (oh * ow, cols))
    prob.add_mistake("forgot_c", (rows, FH * FW))
    prob.add_mistake("forgot_plus_one", (N * (oh - 1) * (ow - 1), cols))
    return prob


def im2col_shape(rng: random.Random) -> Problem:
    """A small batch and filter (the book's (10, 3, 7, 7) with 5×5 is one of them)."""
    s, p, f = rng.choice((1, 1, 2)), rng.choice((0, 0, 1)), rng.choice((2, 3, 5))
    h = _exact_side(rng, f, p, s)
    return im2col_problem(rng.choice((1, 2, 4, 10)), rng.choice((1, 3)), h, h, f, f, s, p)


KINDS = (
    Kind("filter-shape", "7.2.5–7.2.6", filter_shape),
    Kind("layer-shape", "7.2.5–7.2.6", layer_shape),
    Kind("batch-shape", "7.2.7", batch_shape),
    Kind("im2col-shape", "7.4.2", im2col_shape),
)
