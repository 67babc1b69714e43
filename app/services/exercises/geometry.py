"""Output-size kinds (7.2.3 padding, 7.2.4 stride, slide 10): OH = (H + 2P − FH) / S + 1.

Every size is computed by the engine's conv_geometry; the mistakes' answers are the formula with
the common slips (no +1, P instead of 2P, stride ignored)."""

from __future__ import annotations

import random

from app.engine import conv_geometry

from .core import Format, Kind, Problem


def _size(n: int, f: int, p: int, s: int) -> int:
    """The engine's OH for one axis (H, FH, P, S)."""
    return conv_geometry(n, n, f, f, stride=s, pad=p).out_h


def _slips(n: int, f: int, p: int, s: int) -> dict[str, int]:
    """One axis' wrong sizes: forgot +1, P instead of 2P, stride ignored (floored)."""
    return {"forgot_plus_one": (n + 2 * p - f) // s, "p_not_2p": (n + p - f) // s + 1,
            "ignored_stride": n + 2 * p - f + 1}


def _exact_side(rng: random.Random, f: int, p: int, s: int) -> int:
    """An input side H ≥ FH for which (H + 2P − FH) divides by S."""
    while True:
        h = (rng.randint(2, 9) - 1) * s + f - 2 * p
        if h >= max(f, 3):
            return h


def output_size(rng: random.Random) -> Problem:
    """H, W, FH, FW, P, S (the division exact) → [OH, OW]."""
    s, p = rng.choice((1, 2, 2, 3)), rng.choice((0, 1, 1, 2))
    fh, fw = rng.choice((2, 3, 5)), rng.choice((2, 3, 5))
    if rng.random() < 0.5:
        fw = fh
    h, w = _exact_side(rng, fh, p, s), _exact_side(rng, fw, p, s)
    g = conv_geometry(h, w, fh, fw, stride=s, pad=p)
    prob = Problem({"H": h, "W": w, "FH": fh, "FW": fw, "pad": p, "stride": s},
                   (g.out_h, g.out_w), Format("pair", ("OH", "OW")),
                   params={"H": h, "W": w, "FH": fh, "FW": fw, "P": p, "S": s,
                           "OH": g.out_h, "OW": g.out_w})
    sh, sw = _slips(h, fh, p, s), _slips(w, fw, p, s)
    for mistake in sh:
        prob.add_mistake(mistake, (sh[mistake], sw[mistake]))
    return prob


def same_padding(rng: random.Random) -> Problem:
    """H = W, odd FH = FW, S = 1 → the padding P that keeps H×W: P = (FH − 1) / 2."""
    h = rng.choice((5, 6, 7, 8, 10, 12, 16, 28, 32))
    f = rng.choice((3, 5, 7) if h >= 7 else (3,))
    p = (f - 1) // 2
    assert _size(h, f, p, 1) == h  # the engine agrees that P keeps the size
    prob = Problem({"H": h, "W": h, "FH": f, "FW": f, "stride": 1}, (p,), Format("int", ("P",)),
                   params={"H": h, "W": h, "FH": f, "FW": f, "P": p})
    prob.add_mistake("p_not_2p", (f - 1,))
    prob.add_mistake("forgot_plus_one", ((f + 1) // 2,))
    return prob


def stride_invalid(rng: random.Random) -> Problem:
    """H = W, FH = FW, P and three strides of which exactly one does not divide H + 2P − FH."""
    while True:
        f, p = rng.choice((2, 3, 5)), rng.choice((0, 1, 2))
        span = rng.randint(6, 24)
        h = span + f - 2 * p
        fits = [s for s in range(2, 7) if span % s == 0]
        bad = [s for s in range(2, 7) if span % s]
        if h >= max(f, 4) and len(fits) >= 2 and bad:
            break
    wrong = rng.choice(bad)
    options = tuple(sorted([*rng.sample(fits, 2), wrong]))
    assert [s for s in options if not conv_geometry(h, h, f, f, stride=s, pad=p).exact] == [wrong]
    prob = Problem({"H": h, "W": h, "FH": f, "FW": f, "pad": p, "strides": list(options)},
                   (wrong,), Format("choice", ("S",), options=options),
                   params={"H": h, "FH": f, "P": p, "span": span, "S": wrong,
                           "strides": ", ".join(map(str, options)), "rem": span % wrong})
    for s in options:
        if s != wrong and (h + p - f) % s:  # fails if the padding is counted once
            prob.add_mistake(f"p_not_2p:{s}", (s,))
    for s in options:
        prob.add_mistake(f"divides:{s}", (s,))  # any other dividing stride
    return prob


KINDS = (
    Kind("output-size", "7.2.4", output_size),
    Kind("same-padding", "7.2.3", same_padding),
    Kind("stride-invalid", "7.2.4", stride_invalid),
)
