"""Rewrite checkpoint files in the compact format 2 (app.models.ckpt_pack), in place:
python scripts/compact_checkpoints.py app/models/shipped/checkpoints/*.npz
Each snapshot's weights are read as stored (format 1: float16 / int8 per snapshot), put on the
shared ±14 grid, delta coded; steps, curves and held-out figures are kept as they are."""

from __future__ import annotations

import os
import sys

from app.models import checkpoints as ck
from app.models import ckpt_pack


def main(paths: list[str]) -> int:
    for path in paths:
        old = ck.load(path)
        before = os.path.getsize(path)
        raw = [old.params(i) for i in range(len(old.steps))]
        ck.save(path, ck.Checkpoints(old.steps, old.val_loss, old.val_accuracy,
                                     ckpt_pack.quantize_all(raw), old.curve))
        print(f"{path}: {before:,} → {os.path.getsize(path):,} bytes", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
