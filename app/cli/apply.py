"""`convscope apply`: run one convolution layer (+ ReLU, pooling) over image files, write PNG / NPY.

The same decoder (app.imaging.decode) and planner (app.services.plan, without the server's
per-request compute budget) as the API's pipeline: images become float32 in [0, 1]; a 2-D
kernel on C channels is the book's filter with the same slice on every channel (FN = 1,
summed), or with --depthwise each channel is filtered on its own (FN = C).
Exit status: 0 when every input was written, 1 when any failed, 2 for a bad command line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

EXAMPLES = """examples:
  convscope apply photo.jpg --kernel sobel-x --pad 1 --out edges/
  convscope apply pictures/ --kernel gaussian --param size=5 --param sigma=1.5 --out blur/ --npy
  convscope apply a.png --kernel-file k.txt --color rgb --depthwise --relu --pool max:2 --out o/
"""
IMAGE_EXTS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"})


def _pair(text: str) -> tuple[int, int]:
    """"1" → (1, 1); "1,2" → (1, 2)."""
    try:
        parts = [int(p) for p in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected N or H,W integers, not {text!r}") from None
    if len(parts) not in (1, 2):
        raise argparse.ArgumentTypeError(f"expected N or H,W, not {text!r}")
    return (parts[0], parts[-1])


def _param(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    try:
        if not sep or not name:
            raise ValueError
        return name.strip(), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected NAME=NUMBER, not {text!r}") from None


@dataclass(frozen=True)
class Pool:
    op: str  # "max" | "avg"
    size: int
    stride: int


def _pool(text: str) -> Pool:
    """"max:2" → max 2×2 stride 2; "avg:3:1" → avg 3×3 stride 1."""
    parts = text.split(":")
    try:
        if parts[0] not in ("max", "avg") or len(parts) not in (2, 3):
            raise ValueError
        size = int(parts[1])
        stride = int(parts[2]) if len(parts) == 3 else size
        if size < 1 or stride < 1:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected max|avg:SIZE[:STRIDE] with positive integers, not {text!r}") from None
    return Pool(parts[0], size, stride)


def _positive(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        v = 0
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {text!r}")
    return v


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "apply", help="apply a kernel (+ ReLU, pooling) to images; write colour-scaled PNGs",
        description=__doc__.split("\n\n")[0], epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("inputs", nargs="+", type=Path, metavar="IMAGE_OR_FOLDER",
                   help="image files, or folders searched recursively for "
                        + ", ".join(sorted(IMAGE_EXTS)))
    k = p.add_mutually_exclusive_group(required=True)
    k.add_argument("--kernel", metavar="ID", help="a catalogue kernel id, e.g. sobel-x, gaussian")
    k.add_argument("--kernel-file", type=Path, metavar="FILE",
                   help="a 2-D kernel: text (rows of numbers, spaces or commas) or .npy")
    p.add_argument("--param", type=_param, action="append", default=[], metavar="NAME=VALUE",
                   help="a catalogue kernel parameter (repeatable), e.g. sigma=1.5")
    p.add_argument("--pad", type=_pair, default=(0, 0), metavar="P|PH,PW")
    p.add_argument("--pad-mode", choices=("zeros", "edge", "reflect"), default="zeros")
    p.add_argument("--stride", type=_pair, default=(1, 1), metavar="S|SH,SW")
    p.add_argument("--dilation", type=_pair, default=(1, 1), metavar="D|DH,DW")
    p.add_argument("--bias", type=float, default=0.0)
    p.add_argument("--color", choices=("gray", "rgb"), default="gray",
                   help="decode images as 1 gray channel or 3 RGB channels (default gray)")
    p.add_argument("--depthwise", action="store_true", help="filter each channel on its own")
    p.add_argument("--relu", action="store_true", help="apply ReLU after the convolution")
    p.add_argument("--pool", type=_pool, default=None, metavar="max|avg:SIZE[:STRIDE]")
    p.add_argument("--max-side", type=_positive, default=None, metavar="N",
                   help="shrink images whose long side exceeds N pixels (LANCZOS) first")
    p.add_argument("--scale", choices=("auto", "diverging", "sequential", "gray"), default="auto",
                   help="PNG colour scale (auto: diverging when any value < 0, else sequential)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    p.add_argument("--npy", action="store_true",
                   help="also write the float32 (1, FN, OH, OW) result as .npy")
    p.set_defaults(func=run)


def collect(inputs: list[Path], out_dir: Path) -> Iterator[tuple[Path, Path]]:
    """(file, output path without suffix): files as given; folders recursed, layout mirrored."""
    out_abs = out_dir.resolve()
    for item in inputs:
        if item.is_dir():
            for f in sorted(item.rglob("*")):
                dangling = f.is_symlink() and not f.exists()  # reported, not silently dropped
                if ((f.is_file() or dangling) and f.suffix.lower() in IMAGE_EXTS
                        and not f.resolve().is_relative_to(out_abs)):
                    yield f, out_dir / item.name / f.relative_to(item).with_suffix("")
        else:
            yield item, out_dir / item.stem


def run(args: argparse.Namespace) -> int:
    from app.cli.apply_run import Job, KernelSetupError, load_kernel, run_all

    try:
        kernel = load_kernel(args.kernel, args.kernel_file, dict(args.param))
    except KernelSetupError as e:
        print(f"convscope apply: error: {e}", file=sys.stderr)
        return 2
    jobs = list(collect(args.inputs, args.out))
    if not jobs:
        print("convscope apply: error: no image files found", file=sys.stderr)
        return 1
    failed = run_all([Job(src, dst) for src, dst in jobs], kernel, args)
    return 1 if failed else 0

