"""The kernel catalogue of slide 3: smoothing (平滑化), sharpening (鮮鋭化),
edge detection (エッジ検出) and a few others.

Every kernel is a (FH, FW) float32 array applied as a cross-correlation (no flip), the way a CNN
applies its filters. `get_kernel("gaussian", size=5, sigma=1.0)` validates every parameter and
raises `KernelError` naming the field and its limit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Category = Literal["smoothing", "sharpening", "edge", "other"]
CATEGORIES: tuple[Category, ...] = ("smoothing", "sharpening", "edge", "other")


class KernelError(ValueError):
    """Unknown kernel id or a bad parameter; `field` names it, `limit` states the allowed range."""

    def __init__(self, message: str, *, field: str, limit: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.limit = limit


@dataclass(frozen=True)
class Param:
    """One validated parameter: min <= value <= max, and on the grid min + k·step for ints."""

    name: str
    kind: Literal["int", "float"]
    default: float
    min: float
    max: float
    step: float
    label_en: str
    label_ja: str

    @property
    def limit(self) -> str:
        """The allowed range as text, e.g. "3..31 (odd)" or "0.1..10"."""
        lo, hi = _fmt(self.min), _fmt(self.max)
        if self.kind == "int" and self.step == 2:
            return f"{lo}..{hi} ({'odd' if int(self.min) % 2 else 'even'})"
        return f"{lo}..{hi}"

    def check(self, value: Any) -> float:
        """The value as int/float when valid, else KernelError(field=name, limit=...)."""
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise KernelError(f"{self.name} must be a number in {self.limit}, not {value!r}",
                              field=self.name,
                              limit=self.limit)
        v = float(value)
        if not math.isfinite(v) or v < self.min or v > self.max:
            raise KernelError(f"{self.name}={_fmt(v)} is outside {self.limit}", field=self.name,
                              limit=self.limit)
        if self.kind == "int":
            if v != int(v) or (int(v) - int(self.min)) % int(self.step):
                raise KernelError(f"{self.name}={_fmt(v)} must be an integer in {self.limit}",
                                  field=self.name, limit=self.limit)
            return int(v)
        return v


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


@dataclass(frozen=True)
class KernelSpec:
    """A catalogue entry: ids, names and one-line descriptions (en/ja), parameters and a builder."""

    id: str
    category: Category
    name_en: str
    name_ja: str
    description_en: str
    description_ja: str
    params: tuple[Param, ...]

    def defaults(self) -> dict[str, float]:
        """Each parameter's default value."""
        return {p.name: (int(p.default) if p.kind == "int" else p.default) for p in self.params}

    def validate(self, **params: Any) -> dict[str, float]:
        """Defaults overridden by the given values, every one checked."""
        known = {p.name: p for p in self.params}
        for name in params:
            if name not in known:
                allowed = ", ".join(known) or "none"
                raise KernelError(f"kernel {self.id!r} has no parameter {name!r} "
                                  f"(parameters: {allowed})",
                                  field=name, limit=None)
        values = self.defaults()
        values.update({name: known[name].check(v) for name, v in params.items()})
        return values

    def build(self, **params: Any) -> np.ndarray:
        """The (FH, FW) float32 kernel for the given (validated) parameters."""
        return np.asarray(_MAKERS[self.id](**self.validate(**params)), dtype=np.float32)


# ---- builders ---------------------------------------------------------------------------------

def _const(rows: list[list[float]]) -> Callable[..., np.ndarray]:
    arr = np.array(rows, dtype=np.float32)
    return lambda: arr.copy()


def gaussian_kernel(size: int, sigma: float) -> np.ndarray:
    """size×size samples of exp(−(x² + y²) / 2σ²), normalised to sum 1."""
    r = (np.arange(size, dtype=np.float64) - (size - 1) / 2) ** 2
    g = np.exp(-r / (2 * sigma * sigma))
    k = np.outer(g, g)
    return (k / k.sum()).astype(np.float32)


def motion_blur_kernel(length: int, angle: float) -> np.ndarray:
    """A length×length line through the centre at `angle` degrees (0 = horizontal), sum 1.

    Each cell's weight is the share of the line (sampled 32 times per pixel) that falls in it.
    """
    c = (length - 1) / 2
    n = 32 * length
    t = (np.arange(n) + 0.5) * (length / n) - length / 2
    a = math.radians(angle)
    cols = np.clip(np.rint(np.round(c + t * math.cos(a), 9)), 0, length - 1).astype(int)
    rows = np.clip(np.rint(np.round(c - t * math.sin(a), 9)), 0, length - 1).astype(int)
    k = np.zeros((length, length), dtype=np.float64)
    np.add.at(k, (rows, cols), 1.0)
    return (k / k.sum()).astype(np.float32)


def _box(size: int) -> np.ndarray:
    return np.full((size, size), 1.0 / (size * size), dtype=np.float32)


def _sharpen(amount: float) -> np.ndarray:
    k = np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]], dtype=np.float32) * np.float32(amount)
    k[1, 1] += 1
    return k


def _unsharp(amount: float, size: int, sigma: float) -> np.ndarray:
    k = -np.float32(amount) * gaussian_kernel(size, sigma)
    k[size // 2, size // 2] += 1 + amount
    return k


# ---- the catalogue ----------------------------------------------------------------------------

def _p(name: str, kind: Literal["int", "float"], default: float, lo: float, hi: float, step: float,
       en: str, ja: str) -> Param:
    return Param(name, kind, default, lo, hi, step, en, ja)


def _k(kid: str, category: Category, name_en: str, name_ja: str, description_en: str,
       description_ja: str, params: tuple[Param, ...],
       maker: Callable[..., np.ndarray]) -> tuple[KernelSpec, Callable[..., np.ndarray]]:
    spec = KernelSpec(kid, category, name_en, name_ja, description_en, description_ja, params)
    return spec, maker


SIZE = _p("size", "int", 3, 3, 31, 2, "Size (odd)", "サイズ（奇数）")
SIGMA = _p("sigma", "float", 1.0, 0.1, 10.0, 0.1, "Sigma σ", "標準偏差 σ")

_ENTRIES: tuple[tuple[KernelSpec, Callable[..., np.ndarray]], ...] = (
    _k("box-blur", "smoothing", "Box blur", "平均化フィルター（ボックスぼかし）",
               "Replaces each pixel by the mean of its size×size neighbourhood.",
               "各画素を周囲 size×size 画素の平均値で置き換えます。", (SIZE,), _box),
    _k("gaussian", "smoothing", "Gaussian blur", "ガウシアンフィルター",
               "A weighted mean whose weights fall off like a bell curve of width sigma.",
               "中心に近い画素ほど重みが大きい（幅 σ のガウス分布）加重平均でぼかします。",
               (_p("size", "int", 5, 3, 31, 2, "Size (odd)", "サイズ（奇数）"), SIGMA),
               gaussian_kernel),
    _k("motion-blur", "smoothing", "Motion blur", "モーションブラー（動きぼかし）",
               "Averages along a line of the given length and angle, like a moving camera.",
               "指定した長さと角度の線に沿って平均し、カメラを動かしたようにぼかします。",
               (_p("length", "int", 9, 3, 31, 2, "Length (odd)", "長さ（奇数）"),
                _p("angle", "float", 0.0, 0.0, 180.0, 1.0, "Angle (degrees)", "角度（度）")),
               motion_blur_kernel),
    _k("sharpen", "sharpening", "Sharpen", "鮮鋭化フィルター",
               "Adds the difference from the four neighbours back to each pixel: edges stand out.",
               "上下左右の画素との差を元の画素に足し戻し、輪郭をくっきりさせます。",
               (_p("amount", "float", 1.0, 0.0, 5.0, 0.1, "Amount", "強さ"),), _sharpen),
    _k("unsharp-mask", "sharpening", "Unsharp mask", "アンシャープマスク",
               "Original plus amount × (original − Gaussian blur): the photographer's sharpening.",
               "元画像 +（元画像 − ガウシアンぼかし）× 強さ。写真の定番の鮮鋭化です。",
               (_p("amount", "float", 1.0, 0.0, 5.0, 0.1, "Amount", "強さ"),
                _p("size", "int", 5, 3, 31, 2, "Size (odd)", "サイズ（奇数）"), SIGMA), _unsharp),
    _k("laplacian-4", "edge", "Laplacian (4-neighbour)", "ラプラシアンフィルター（4近傍）",
               "Second derivative from the four neighbours: responds to edges in every direction.",
               "上下左右の4近傍による2次微分。あらゆる向きのエッジに反応します。", (),
               _const([[0, 1, 0], [1, -4, 1], [0, 1, 0]])),
    _k("laplacian-8", "edge", "Laplacian (8-neighbour)", "ラプラシアンフィルター（8近傍）",
               "Second derivative from all eight neighbours, diagonals included.",
               "斜めを含む8近傍による2次微分。", (),
               _const([[1, 1, 1], [1, -8, 1], [1, 1, 1]])),
    _k("sobel-x", "edge", "Sobel (x)", "ソーベルフィルター（x方向）",
               "Horizontal gradient with smoothing: finds vertical edges.",
               "平滑化付きの横方向の微分。縦のエッジを検出します。", (),
               _const([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])),
    _k("sobel-y", "edge", "Sobel (y)", "ソーベルフィルター（y方向）",
               "Vertical gradient with smoothing: finds horizontal edges.",
               "平滑化付きの縦方向の微分。横のエッジを検出します。", (),
               _const([[-1, -2, -1], [0, 0, 0], [1, 2, 1]])),
    _k("prewitt-x", "edge", "Prewitt (x)", "プレウィットフィルター（x方向）",
               "Horizontal gradient averaged over three rows: finds vertical edges.",
               "3行で平均した横方向の微分。縦のエッジを検出します。", (),
               _const([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]])),
    _k("prewitt-y", "edge", "Prewitt (y)", "プレウィットフィルター（y方向）",
               "Vertical gradient averaged over three columns: finds horizontal edges.",
               "3列で平均した縦方向の微分。横のエッジを検出します。", (),
               _const([[-1, -1, -1], [0, 0, 0], [1, 1, 1]])),
    _k("scharr-x", "edge", "Scharr (x)", "シャールフィルター（x方向）",
               "A Sobel with weights 3-10-3, more accurate for edges at an angle.",
               "重み 3-10-3 のソーベル。斜めのエッジの向きをより正確に捉えます。", (),
               _const([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]])),
    _k("scharr-y", "edge", "Scharr (y)", "シャールフィルター（y方向）",
               "The vertical Scharr gradient: finds horizontal edges.",
               "縦方向のシャールフィルター。横のエッジを検出します。", (),
               _const([[-3, -10, -3], [0, 0, 0], [3, 10, 3]])),
    _k("outline", "edge", "Outline", "輪郭抽出フィルター",
               "Each pixel minus its eight neighbours: flat areas go dark, outlines stay.",
               "中心から周囲8画素を引きます。平坦な部分は暗くなり、輪郭だけが残ります。", (),
               _const([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])),
    _k("identity", "other", "Identity", "恒等フィルター",
               "Leaves the image unchanged: the 1 in the centre copies each pixel.",
               "中央の 1 が各画素をそのまま写すので、画像は変わりません。", (),
               _const([[0, 0, 0], [0, 1, 0], [0, 0, 0]])),
    _k("emboss", "other", "Emboss", "エンボスフィルター",
               "A diagonal gradient plus the pixel: the image looks pressed into metal.",
               "斜め方向の微分に元の画素を足し、浮き彫りのように見せます。", (),
               _const([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]])),
)

_MAKERS: dict[str, Callable[..., np.ndarray]] = {s.id: m for s, m in _ENTRIES}
CATALOGUE: dict[str, KernelSpec] = {
    s.id: s for c in CATEGORIES for s, _ in _ENTRIES if s.category == c
}


def get_spec(kernel_id: str) -> KernelSpec:
    """The catalogue entry, or KernelError(field="kernel") for an unknown id."""
    try:
        return CATALOGUE[kernel_id]
    except (KeyError, TypeError):
        raise KernelError(f"unknown kernel {kernel_id!r}; known: {', '.join(CATALOGUE)}",
                          field="kernel", limit=None) from None


def get_kernel(kernel_id: str, **params: Any) -> np.ndarray:
    """The (FH, FW) float32 kernel `kernel_id` built with validated `params`."""
    return get_spec(kernel_id).build(**params)
