"""Independent answers to the exercises (plain Python loops and the book's formulas, no
engine), used to check the engine-computed answers."""

from __future__ import annotations

from typing import Any


def out_len(n: int, f: int, p: int, s: int) -> int:
    assert (n + 2 * p - f) % s == 0, "the generator promised an exact division"
    return (n + 2 * p - f) // s + 1


def cell(x: list[list[int]], k: list[list[int]], b: int, i: int, j: int, pad: int) -> int:
    n = len(x)

    def at(r: int, c: int) -> int:
        r, c = r - pad, c - pad
        return x[r][c] if 0 <= r < n and 0 <= c < n else 0

    return sum(at(i + u, j + v) * k[u][v] for u in range(3) for v in range(3)) + b


def answer(kind: str, q: dict[str, Any]) -> Any:
    """The right answer of a generated question, from its inputs only."""
    d = q["inputs"]
    if kind in ("output-cell", "padded-cell"):
        return cell(d["x"], d["filter"], d["b"], *d["cell"], d["pad"])
    if kind == "output-size":
        return [out_len(d["H"], d["FH"], d["pad"], d["stride"]),
                out_len(d["W"], d["FW"], d["pad"], d["stride"])]
    if kind == "same-padding":
        return next(p for p in range(0, 10) if d["H"] + 2 * p - d["FH"] + 1 == d["H"])
    if kind == "stride-invalid":
        bad = [s for s in d["strides"] if (d["H"] + 2 * d["pad"] - d["FH"]) % s]
        assert len(bad) == 1, "exactly one stride must not fit"
        return bad[0]
    if kind == "filter-shape":
        return [d["FN"], d["C"], d["FH"], d["FW"]]
    if kind in ("layer-shape", "batch-shape"):
        oh = out_len(d["H"], d["FH"], d["pad"], d["stride"])
        ow = out_len(d["W"], d["FW"], d["pad"], d["stride"])
        return [d["N"], d["FN"], oh, ow]
    if kind == "im2col-shape":
        oh = out_len(d["H"], d["FH"], d["pad"], d["stride"])
        ow = out_len(d["W"], d["FW"], d["pad"], d["stride"])
        return [d["N"] * oh * ow, d["C"] * d["FH"] * d["FW"]]
    if kind == "max-pool":
        x, m = d["x"], d["H"] // 2
        return [[max(x[2 * r + u][2 * c + v] for u in (0, 1) for v in (0, 1)) for c in range(m)]
                for r in range(m)]
    raise AssertionError(f"no oracle for {kind}")
