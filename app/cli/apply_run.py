"""The work behind `convscope apply`: load the kernel, then decode → plan and run the layers
(services.plan, as POST /api/pipeline) → write."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from app.config import Settings, get_settings
from app.engine import GeometryError, KernelError, get_kernel
from app.errors import ApiError
from app.imaging.decode import decode_image, encode_png, grid
from app.schemas import ConvLayer, PoolLayer, ReluLayer
from app.services.plan import plan_layers, run_plan


class KernelSetupError(ValueError):
    """The kernel cannot be built or read (a command-line error: exit status 2)."""


@dataclass(frozen=True)
class Job:
    src: Path
    dst: Path  # output path without suffix; .png (and .npy) are added


def _read_kernel_file(path: Path) -> np.ndarray:
    """A 2-D kernel from .npy (allow_pickle=False) or text rows (whitespace or commas)."""
    try:
        if path.suffix.lower() == ".npy":
            k = np.load(path, allow_pickle=False)
        else:
            rows = [line.replace(",", " ").split() for line in path.read_text().splitlines()]
            k = np.array([[float(v) for v in r] for r in rows if r], dtype=np.float64)
    except (OSError, ValueError) as e:
        raise KernelSetupError(f"cannot read kernel file {path}: {e}") from None
    return np.asarray(k, dtype=np.float32)


def load_kernel(kernel_id: str | None, kernel_file: Path | None,
                params: dict[str, float]) -> np.ndarray:
    """The (FH, FW) float32 kernel from the catalogue or a file; limits as the API's."""
    if kernel_file is not None:
        if params:
            raise KernelSetupError("--param applies to --kernel (a catalogue id) only")
        k = _read_kernel_file(kernel_file)
    else:
        try:
            k = get_kernel(str(kernel_id), **params)
        except KernelError as e:
            limit = f" (allowed: {e.limit})" if e.limit else ""
            raise KernelSetupError(f"{e}{limit}") from None
    side = get_settings().max_kernel_side
    if k.ndim != 2 or k.size == 0 or max(k.shape) > side:
        raise KernelSetupError(f"the kernel must be 2-D with sides 1..{side}; got shape {k.shape}")
    if not np.isfinite(k).all():
        raise KernelSetupError("the kernel has NaN or infinite values")
    return k


def _unbudgeted() -> Settings:
    """The settings without the server's per-request compute budget: apply runs on the user's own
    machine, over images of any size (the kernel limits stay, checked by load_kernel)."""
    return get_settings().model_copy(update={"max_macs": sys.maxsize,
                                             "max_output_values": sys.maxsize})


def layers_of(k: np.ndarray, args: argparse.Namespace) -> list[ConvLayer | ReluLayer | PoolLayer]:
    """The command line as POST /api/pipeline's layers: conv (+ ReLU) (+ pooling). Built without
    the API's request-size limits (the command line has its own checks)."""
    layers: list[ConvLayer | ReluLayer | PoolLayer] = [ConvLayer.model_construct(
        type="conv", kernel=k.tolist(), bias=float(args.bias), stride=list(args.stride),
        pad=list(args.pad), pad_mode=args.pad_mode, dilation=list(args.dilation),
        depthwise=bool(args.depthwise))]
    if args.relu:
        layers.append(ReluLayer.model_construct(type="relu"))
    if args.pool is not None:
        layers.append(PoolLayer.model_construct(type="pool", mode=args.pool.op,
                                                size=args.pool.size, stride=args.pool.stride))
    return layers


def forward(x: np.ndarray, k: np.ndarray, args: argparse.Namespace) -> np.ndarray:
    """x (1, C, H, W) → conv (or depthwise) + bias → ReLU? → pool? : (1, FN, OH, OW) float32,
    planned and run by services.plan as the API's pipeline (422-style refusals as ApiError)."""
    shape = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    steps = plan_layers(layers_of(k, args), shape, _unbudgeted(), prefix="apply")
    return run_plan(x, steps)[-1]


def _unique(dst: Path, taken: set[Path]) -> Path:
    """dst, or dst-2, dst-3, … when an earlier input already wrote that name."""
    out, n = dst, 1
    while out in taken:
        n += 1
        out = dst.with_name(f"{dst.name}-{n}")
    taken.add(out)
    return out


def process(job: Job, k: np.ndarray, args: argparse.Namespace, dst: Path) -> list[str]:
    """One input → dst.png (+ dst.npy); returns the decoder's notes. Raises on failure."""
    img = decode_image(job.src.read_bytes(), color=args.color, max_side=args.max_side)
    y = forward(img.array[None], k, args)
    picture = grid(list(y[0]), scale=args.scale)  # one map → its colour-scaled image
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.with_suffix(".png").write_bytes(encode_png(picture))
    if args.npy:
        np.save(dst.with_suffix(".npy"), np.ascontiguousarray(y, dtype=np.float32))
    return [n.message_en for n in img.notes]


def _reason(exc: Exception) -> str:
    if isinstance(exc, ApiError):  # an image refused, or a layer the plan refuses
        return f"{exc.message_en} [{exc.code}]"
    if isinstance(exc, FileNotFoundError):
        return "no such file or folder"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


def run_all(jobs: list[Job], k: np.ndarray, args: argparse.Namespace) -> int:
    """Process every job with a progress bar; one line per failure; returns the failure count."""
    taken: set[Path] = set()
    failed = 0
    bar = tqdm(jobs, unit="image", disable=len(jobs) < 2, file=sys.stderr, dynamic_ncols=True)
    for job in bar:
        dst = _unique(job.dst, taken)
        try:
            for note in process(job, k, args, dst):
                tqdm.write(f"{job.src}: {note}", file=sys.stderr)
        except (ApiError, GeometryError, OSError, ValueError) as e:
            failed += 1
            tqdm.write(f"convscope apply: skipped {job.src}: {_reason(e)}", file=sys.stderr)
    done = len(jobs) - failed
    print(f"{done} of {len(jobs)} written to {args.out}" + (f"; {failed} failed" if failed else ""))
    return failed
