"""The engine against torch.nn.functional (CPU, 1 thread) and cv2.filter2D, issue 2's workloads.

One line per workload: our median, each reference's median and our ratio to it (ours / theirs,
lower is better) with the issue's target beside it, and our peak extra memory (tracemalloc) as a
multiple of input + output bytes. Convolutions also run the engine's core (app/engine/conv.py,
the book's blocked im2col): "core" is what the fast path taken (named in [..]) buys over it.
Medians are of thread CPU time (robust on a shared machine; every library runs single-threaded
on the calling thread); [wall …] is the wall-clock ratio.
Run: python -m bench.engine [name filter ...]
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.engine import (
    avg_pool2d,
    conv,
    conv2d,
    depthwise_conv2d,
    fast,
    get_kernel,
    max_pool2d,
    relu,
)
from app.engine.fast import colprod, separable, slabs

from .common import ms, peak_extra_bytes, pin_threads, round_robin, verdict

MEMORY_TARGET = 1.5  # peak extra bytes of one conv / (input + output bytes)


@dataclass
class Workload:
    name: str
    ours: Callable[[], np.ndarray]
    refs: dict[str, Callable[[], object]]
    targets: dict[str, float] = field(default_factory=dict)  # ref name → max ratio
    check_memory: bool = True
    in_bytes: int = 0


def _conv_workload(name: str, x: np.ndarray, W: np.ndarray, b: np.ndarray | None, *,
                   stride: int = 1, pad: int = 0, targets: dict[str, float]) -> Workload:
    import torch
    import torch.nn.functional as F  # noqa: N812

    xt, Wt = torch.from_numpy(x), torch.from_numpy(W)
    bt = None if b is None else torch.from_numpy(b)
    return Workload(name, lambda: conv2d(x, W, b, stride=stride, pad=pad),
                    {"torch": lambda: F.conv2d(xt, Wt, bt, stride=stride, padding=pad),
                     "core": lambda: conv.conv2d(x, W, b, stride=stride, pad=pad)},
                    targets, in_bytes=x.nbytes)


def fast_paths(fn: Callable[[], object]) -> list[str]:
    """Which fast paths one call of fn takes (names of app/engine/fast modules)."""
    taken: list[str] = []
    spots = [(slabs, "slab_conv", "slabs"), (fast, "filter_planes", "filters"),
             (separable, "sep_planes", "separable"), (colprod, "col_conv", "colprod"),
             (fast, "conv2d_gemm", "gemm")]
    real = [getattr(mod, attr) for mod, attr, _ in spots]

    def spy(f: Callable[..., object], label: str) -> Callable[..., object]:
        return lambda *a, **k: taken.append(label) or f(*a, **k)

    for (mod, attr, label), f in zip(spots, real, strict=True):
        setattr(mod, attr, spy(f, label))
    try:
        fn()
    finally:
        for (mod, attr, _), f in zip(spots, real, strict=True):
            setattr(mod, attr, f)
    return sorted(set(taken)) or ["core"]


def _filter_workloads(rng: np.random.Generator) -> list[Workload]:
    import cv2
    import torch
    import torch.nn.functional as F  # noqa: N812

    border = cv2.BORDER_CONSTANT
    gauss = get_kernel("gaussian", size=3, sigma=1.0)
    dense = rng.standard_normal((3, 3)).astype(np.float32)
    gray = rng.random((1, 1, 1024, 1024), dtype=np.float32)
    rgb = rng.random((1, 3, 1024, 1024), dtype=np.float32)
    rgb_hwc = np.ascontiguousarray(rgb[0].transpose(1, 2, 0))
    planes = [np.ascontiguousarray(rgb[0, c]) for c in range(3)]
    W2d = rng.standard_normal((1, 3, 3, 3)).astype(np.float32)
    out: list[Workload] = []
    for label, K in (("gaussian", gauss), ("dense random", dense)):
        w = _conv_workload(f"W1 gray 1024² 3×3 {label}, pad 1", gray, K[None, None], None,
                           pad=1, targets={"cv2": 2.0})
        w.refs["cv2"] = lambda K=K: cv2.filter2D(gray[0, 0], -1, K, borderType=border)
        out.append(w)
    small = np.ascontiguousarray(gray[:, :, :512, :512])
    for label, K in (("15×15 gaussian σ3", get_kernel("gaussian", size=15, sigma=3.0)),
                     ("31×31 box blur", get_kernel("box-blur", size=31))):
        p = K.shape[0] // 2  # large catalogue kernels: the shift-and-add path (filters.py)
        w = _conv_workload(f"gray 512² {label}, pad {p}", small, K[None, None], None, pad=p,
                           targets={})
        w.refs["cv2"] = lambda K=K: cv2.filter2D(small[0, 0], -1, K, borderType=border)
        out.append(w)
    # W2: OpenCV has no C → 1 filter; its equivalent is one filter2D per channel, summed (dense
    # weights), or filter2D of the channel sum when every channel has the same kernel.
    W2 = np.broadcast_to(gauss, (1, 3, 3, 3)).copy()
    w = _conv_workload("W2 RGB 1024² → 1, 3×3 gaussian ×3, pad 1", rgb, W2, None, pad=1,
                       targets={"cv2": 2.0})
    w.refs["cv2"] = lambda: cv2.filter2D(planes[0] + planes[1] + planes[2], -1, gauss,
                                         borderType=border)
    out.append(w)
    w = _conv_workload("W2 RGB 1024² → 1, 3×3 dense random, pad 1", rgb, W2d, None, pad=1,
                       targets={"cv2": 2.0})
    w.refs["cv2"] = lambda: sum(cv2.filter2D(planes[c], -1, W2d[0, c], borderType=border)
                                for c in range(3))
    out.append(w)
    xt, Kt = torch.from_numpy(rgb), torch.from_numpy(gauss).expand(3, 1, 3, 3).contiguous()
    out.append(Workload(
        "depthwise RGB 1024², same 3×3 gaussian, pad 1",
        lambda: depthwise_conv2d(rgb, gauss, pad=1),
        {"torch": lambda: F.conv2d(xt, Kt, padding=1, groups=3),
         "cv2": lambda: cv2.filter2D(rgb_hwc, -1, gauss, borderType=border),
         "core": lambda: conv.depthwise_conv2d(rgb, gauss, pad=1)},
        {"cv2": 2.0}, in_bytes=rgb.nbytes))
    return out


def _cnn_workloads(rng: np.random.Generator) -> list[Workload]:
    def bank(shape: tuple[int, ...]) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.1).astype(np.float32)

    out = []
    for N, target in ((1, 0.5), (100, 1.5)):
        out.append(_conv_workload(f"W3 N={N} 1×28² → 30, 5×5", bank((N, 1, 28, 28)),
                                  bank((30, 1, 5, 5)), bank((30,)), targets={"torch": target}))
    out.append(_conv_workload("W4 16×128² → 32, 3×3, pad 1", bank((1, 16, 128, 128)),
                              bank((32, 16, 3, 3)), bank((32,)), pad=1, targets={"torch": 1.5}))
    out.append(_conv_workload("W5 RGB 512² → 8, 5×5, stride 2, pad 2", bank((1, 3, 512, 512)),
                              bank((8, 3, 5, 5)), bank((8,)), stride=2, pad=2,
                              targets={"torch": 2.5}))
    return out


def _elementwise_workloads(rng: np.random.Generator) -> list[Workload]:
    import torch
    import torch.nn.functional as F  # noqa: N812

    x = rng.standard_normal((1, 32, 512, 512), dtype=np.float32)  # 32 MiB
    xt = torch.from_numpy(x)
    buf = np.empty_like(x)
    return [
        Workload("max pool 2×2 s2 (1, 32, 512²)", lambda: max_pool2d(x, 2, 2),
                 {"torch": lambda: F.max_pool2d(xt, 2, 2)}, {"torch": 0.3}, False, x.nbytes),
        Workload("avg pool 2×2 s2 (1, 32, 512²)", lambda: avg_pool2d(x, 2, 2),
                 {"torch": lambda: F.avg_pool2d(xt, 2, 2)}, {"torch": 0.5}, False, x.nbytes),
        Workload("ReLU 32 MiB, reused output buffer", lambda: relu(x, out=buf),
                 {"torch": lambda: F.relu(xt)}, {"torch": 0.7}, False, x.nbytes),
        Workload("ReLU 32 MiB, fresh output (both)", lambda: relu(x),
                 {"torch": lambda: F.relu(xt)}, {}, False, x.nbytes),
    ]


def run(w: Workload) -> str:
    """Time one workload round-robin and format its line."""
    times = round_robin({"ours": w.ours, **w.refs})
    result = w.ours()
    peak = peak_extra_bytes(w.ours)
    io = w.in_bytes + result.nbytes
    name = f"{w.name} [{'+'.join(fast_paths(w.ours))}]" if "core" in w.refs else w.name
    parts = [f"{name:<44}", f"ours {ms(times['ours']):>9}"]
    for ref in w.refs:
        ratio = times["ours"] / times[ref]
        wall = times["ours:wall"] / times[f"{ref}:wall"]
        text = f"{ref} {ms(times[ref])} → {ratio:.2f}× [wall {wall:.2f}×]"
        if ref in w.targets:
            text += f" (≤{w.targets[ref]:g} {verdict(ratio, w.targets[ref])})"
        parts.append(text)
    mem = f"peak +{peak / 2**20:.1f} MiB = {peak / io:.2f}× in+out"
    if w.check_memory:
        mem += f" (≤{MEMORY_TARGET:g} {verdict(peak / io, MEMORY_TARGET)})"
    parts.append(mem)
    return " | ".join(parts)


def main(only: list[str] | None = None) -> list[str]:
    """Run every workload (or those whose name contains one of `only`); print and return lines."""
    print(pin_threads())
    rng = np.random.default_rng(0)
    lines = []
    for make in (_filter_workloads, _cnn_workloads, _elementwise_workloads):
        for w in make(rng):
            if only and not any(o in w.name for o in only):
                continue
            line = run(w)
            print(line, flush=True)
            lines.append(line)
    return lines


if __name__ == "__main__":
    from .common import reexec_without_coretype

    reexec_without_coretype()
    main(sys.argv[1:])
