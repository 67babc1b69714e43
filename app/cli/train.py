"""`convscope train`: train a CNN (NumPy engine) on an IDX pair; write weights, card, curve."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import numpy as np


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from app.engine.network import ARCHITECTURES

    p = sub.add_parser("train", help="train a CNN on MNIST-style IDX files (NumPy engine)",
                       description="Train on an IDX image/label pair (MNIST, Fashion-MNIST, "
                       "KMNIST; gzip or plain) and write PATH.npz, PATH.json (model card) and "
                       "PATH.png (learning curve).")
    p.add_argument("--data", default=os.environ.get("CONVSCOPE_DATA_DIR"),
                   help="folder holding the IDX files (or set CONVSCOPE_DATA_DIR)")
    p.add_argument("--prefix", help="which pair when the folder has several (train, t10k, ...)")
    p.add_argument("--model", default="simple-convnet", choices=sorted(ARCHITECTURES))
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--out", required=True, help="weights path, e.g. models/my-net.npz")
    p.add_argument("--seed", type=int, default=0, help="split, initial weights, order, shifts")
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--lr", type=float, default=0.001, help="peak learning rate (Adam)")
    p.add_argument("--weight-decay", type=float, default=0.0, help="AdamW weight decay")
    p.add_argument("--schedule", choices=("cosine", "constant"), default="cosine")
    p.add_argument("--val", type=int, default=1000, help="examples held out for validation")
    p.add_argument("--test", type=int, default=0,
                   help="examples held out for a final test (never used for selection)")
    p.add_argument("--augment", action="store_true", help="random shifts of up to --shift px")
    p.add_argument("--shift", type=int, default=2, help="max shift in px with --augment")
    p.add_argument("--rotate", type=float, default=0.0,
                   help="with --augment: also rotate by up to ±DEG degrees")
    p.add_argument("--scale", type=float, default=0.0,
                   help="with --augment: also scale by 1 ± S")
    p.add_argument("--stroke", type=float, default=0.0,
                   help="with --augment: change the stroke width of this fraction of the "
                   "images (half thicker, half thinner; 0 = never)")
    p.add_argument("--limit", type=int, default=0, help="use only the first N examples")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _config_class() -> Any:
    """TrainConfig plus stroke-width augmentation (app.engine.augment.random_stroke) applied
    before the shift/rotation/scale warp."""
    from dataclasses import dataclass

    from app.engine.augment import random_stroke
    from app.engine.train import TrainConfig

    @dataclass(frozen=True)
    class StrokeConfig(TrainConfig):
        stroke: float = 0.0  # fraction of images whose stroke width changes

        def augment(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
            if self.stroke > 0:
                x = random_stroke(x, rng, self.stroke)
            return super().augment(x, rng)

    return StrokeConfig


class _UsageError(Exception):
    """A problem with the command line or the data: printed, exit status 2."""


def _load(args: argparse.Namespace) -> tuple[Any, Any, Any, Any, tuple[Any, Any, Any]]:
    """(image path, label path, uint8 images, labels, (train, val, test) indices)."""
    from app.engine.data import IdxError, find_idx_pair, load_idx, split_indices

    if not args.data:
        raise _UsageError("--data DIR is required (the folder with the IDX files, e.g. "
                     "../shared/data/mnist), or set CONVSCOPE_DATA_DIR")
    try:
        img_path, lab_path = find_idx_pair(args.data, args.prefix)
        images, labels = load_idx(img_path, lab_path)
        if args.limit:
            images, labels = images[:args.limit], labels[:args.limit]
        return img_path, lab_path, images, labels, split_indices(
            len(images), args.val, args.test, args.seed)
    except (IdxError, ValueError) as e:
        raise _UsageError(str(e)) from e


def _progress(total_batches: int, epochs: int, disable: bool) -> tuple[Any, Any, Any]:
    """A tqdm bar and the on_batch / on_epoch callbacks that feed it."""
    from tqdm import tqdm

    bar = tqdm(total=total_batches, unit="batch", disable=disable, dynamic_ncols=True)

    def on_batch(b: Any) -> None:
        bar.set_description(f"epoch {b.epoch}/{epochs}")
        bar.set_postfix(loss=f"{b.loss:.3f}", acc=f"{b.accuracy:.3f}", refresh=False)
        bar.update(1)

    def on_epoch(e: Any) -> None:
        val = "" if e.val_accuracy is None else \
            f"  val_loss {e.val_loss:.4f}  val_acc {e.val_accuracy:.4f}"
        bar.write(f"epoch {e.epoch}: loss {e.train_loss:.4f}  acc {e.train_accuracy:.4f}{val}"
                  f"  ({e.seconds:.1f} s)")

    return bar, on_batch, on_epoch


def _card(args: argparse.Namespace, config: Any, data: dict[str, Any], split: dict[str, Any],
          history: Any, test_acc: float | None,
          dilated: dict[str, float | None]) -> dict[str, Any]:
    """The model card: data, split, seed, recipe, accuracies, training time, history."""
    last = history.epochs[-1]
    return {
        "data": data,
        "split": split | {"seed": args.seed,
                          "method": "numpy default_rng(seed).permutation: validation first, "
                                    "then test, the rest trains"},
        "seed": args.seed, "epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
        "schedule": args.schedule, "optimizer": "adam", "weight_decay": args.weight_decay,
        "augment": {"random_shift_px": config.max_shift, "rotate_deg": config.max_rotate_deg,
                    "scale": config.max_scale, "stroke": config.stroke},
        "validation_accuracy": last.val_accuracy, "test_accuracy": test_acc,
        "dilated_strokes": dilated | {
            "method": "the same held-out digits after a 3x3 grey dilation (thick pen)"},
        "final_train_loss": last.train_loss, "training_time_s": round(history.seconds, 1),
        "source": "convscope train (ConvScope's NumPy engine)",
        "command": "convscope " + " ".join(sys.argv[1:]) if sys.argv[1:2] == ["train"] else None,
        "history": history.as_dict()["epochs"],
    }


def run(args: argparse.Namespace) -> int:
    from app.engine.augment import grey_dilate
    from app.engine.data import to_float
    from app.engine.network import build
    from app.engine.train import evaluate, train
    from app.imaging.curve import draw_curve
    from app.models.card import model_paths, write_model

    try:
        img_path, lab_path, images, labels, (tr, va, te) = _load(args)
        net = build(args.model, args.seed)
        if tuple(net.input_shape[1:]) != images.shape[1:]:
            raise _UsageError(f"{args.model} takes {net.input_shape[1:]} images, the data has "
                         f"{images.shape[1:]}")
    except _UsageError as e:
        print(f"convscope train: {e}", file=sys.stderr)
        return 2
    x, t = to_float(images), labels.astype(np.int64)
    config = _config_class()(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                         seed=args.seed, schedule=args.schedule, weight_decay=args.weight_decay,
                         max_shift=args.shift if args.augment else 0,
                         max_rotate_deg=args.rotate if args.augment else 0.0,
                         max_scale=args.scale if args.augment else 0.0,
                         stroke=args.stroke if args.augment else 0.0)
    print(f"{args.model}: {net.param_count():,} parameters; data {img_path.name} "
          f"({len(tr)} train / {len(va)} validation / {len(te)} test)", flush=True)
    bar, on_batch, on_epoch = _progress(config.epochs * -(-len(tr) // config.batch_size),
                                        config.epochs, args.no_progress)
    history = train(net, x[tr], t[tr], config, x[va], t[va], on_batch, on_epoch)
    bar.close()
    test_acc = evaluate(net, x[te], t[te])[1] if len(te) else None
    dilated = {name: evaluate(net, grey_dilate(x[ix]), t[ix])[1] if len(ix) else None
               for name, ix in (("validation_accuracy", va), ("test_accuracy", te))}
    _, npz, card_path, png = model_paths(args.out)
    card = _card(args, config, {"file": img_path.name, "labels": lab_path.name,
                                "examples": len(images)},
                 {"train": len(tr), "validation": len(va), "test": len(te)}, history, test_acc,
                 dilated)
    try:  # a full disk (ENOSPC) is one line and exit 1, never a traceback
        full = write_model(net, npz, card)
        draw_curve(card["history"], png, title=f"{full['id']} ({args.model})")
    except OSError as e:
        print(f"convscope train: {e.strerror or e}", file=sys.stderr)
        return 1
    last = history.epochs[-1]
    test = f", test accuracy {test_acc:.4f}" if test_acc is not None else ""
    val = "no validation" if last.val_accuracy is None else \
        f"validation accuracy {last.val_accuracy:.4f}"
    thick = f", dilated strokes {dilated['test_accuracy']:.4f}" if len(te) else ""
    print(f"wrote {npz}, {card_path}, {png}: {val}{test}{thick}; {history.seconds:.0f} s")
    return 0
