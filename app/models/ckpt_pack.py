"""Compact checkpoint files (format 2): every snapshot's weights, small enough to ship.

conv1.W (the filters the timeline draws) and every bias stay float16 per snapshot. Every other
weight W (affine (in, units), conv (FN, C, FH, FW)) is stored on one integer grid shared by all
snapshots: q_i = rint(W_i / scale), q in [−LEVELS, LEVELS], scale = max over snapshots of
|W| per output unit / LEVELS (shape kept for broadcasting), and the file holds the deltas
q_i − q_{i−1} as int8 (q_{−1} = 0), which deflate well. The timeline's weights are exactly
q_i · scale: deterministic, with |error| ≤ scale / 2 against the weights taken in training.
"""

from __future__ import annotations

import numpy as np

FORMAT = 2
LEVELS = 14
KEEP = ("conv1.W",)


def _packed(k: str, v: np.ndarray) -> bool:
    return v.ndim >= 2 and k not in KEEP


def _scale(k: str, raw: list[dict[str, np.ndarray]]) -> np.ndarray:
    """Per output unit: axis 1 of an affine W (in, units), axis 0 of a conv W (FN, ...)."""
    keep = 1 if raw[0][k].ndim == 2 else 0
    axes = tuple(a for a in range(raw[0][k].ndim) if a != keep)
    m = np.max([np.abs(r[k]).max(axis=axes, keepdims=True) for r in raw], axis=0) / LEVELS
    return np.where(m > 0, m, 1.0).astype(np.float32)


def quantize_all(raw: list[dict[str, np.ndarray]]) -> list[dict[str, np.ndarray]]:
    """Float snapshots → in-memory snapshots: packed W as int8 q + '<k>.scale', rest float16."""
    scales = {k: _scale(k, raw) for k, v in raw[0].items() if _packed(k, v)}
    out = []
    for r in raw:
        snap: dict[str, np.ndarray] = {}
        for k, v in r.items():
            if k in scales:
                snap[k] = np.clip(np.rint(v / scales[k]), -LEVELS, LEVELS).astype(np.int8)
                snap[k + ".scale"] = scales[k]
            else:
                snap[k] = v.astype(np.float16)
        out.append(snap)
    return out


def encode(snaps: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """In-memory snapshots (from quantize_all) → the file's arrays: 'format', 'scale/<k>',
    's<i>/<k>' (int8 deltas for packed W, float16 otherwise)."""
    arrays: dict[str, np.ndarray] = {"format": np.array(FORMAT, np.int64)}
    prev: dict[str, np.ndarray] = {}
    for i, snap in enumerate(snaps):
        for k, v in snap.items():
            if k.endswith(".scale"):
                arrays["scale/" + k[:-6]] = v
            elif v.dtype == np.int8:
                last = prev.get(k, np.zeros_like(v))
                arrays[f"s{i}/{k}"] = (v.astype(np.int16) - last).astype(np.int8)
                prev[k] = v.astype(np.int16)
            else:
                arrays[f"s{i}/{k}"] = v
    return arrays


def decode(files: dict[str, np.ndarray], count: int) -> list[dict[str, np.ndarray]]:
    """Inverse of encode (files without 'format', 'steps', ... head arrays); ValueError when a
    delta leaves [−LEVELS, LEVELS] or a key is malformed."""
    scales = {k[6:]: v for k, v in files.items() if k.startswith("scale/")}
    snaps: list[dict[str, np.ndarray]] = [{} for _ in range(count)]
    for k, v in files.items():
        if k.startswith("scale/"):
            continue
        i, name = k.split("/", 1)
        snaps[int(i[1:])][name] = v
    acc: dict[str, np.ndarray] = {}
    for snap in snaps:
        for k in [k for k in snap if k in scales]:
            acc[k] = acc.get(k, np.zeros(snap[k].shape, np.int16)) + snap[k]
            if np.abs(acc[k]).max(initial=0) > LEVELS:
                raise ValueError(f"{k}: delta outside ±{LEVELS}")
            snap[k] = acc[k].astype(np.int8)
            snap[k + ".scale"] = scales[k]
    return snaps
