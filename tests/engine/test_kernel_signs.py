"""What the README and the catalogue descriptions say about kernels, pinned to the engine.

- Kernels are applied without flipping (cross-correlation, the book's 畳み込み演算):
  out[n, f, i, j] = Σ_c Σ_u Σ_v x[n, c, i·S + u·D, j·S + v·D] · W[f, c, u, v] + b[f].
- Signs, with rows going down: *-x positive where brightness increases to the right, *-y where it
  increases downwards; the Laplacians negative on the bright side, outline positive there; emboss
  adds a gradient that is positive where brightness increases towards the bottom right.
- Motion blur: angle in degrees counter-clockwise from horizontal as seen on screen (0 —, 45 /,
  90 |, 135 \\).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from app.engine import CATALOGUE, conv2d, depthwise_conv2d, get_kernel

KERNELS_JSON = Path(__file__).resolve().parents[2] / "app" / "engine" / "kernels.json"


def naive(x: np.ndarray, W: np.ndarray, b: np.ndarray, S: int = 1, P: int = 0,
          D: int = 1) -> np.ndarray:
    """The documented formula, written out loop by loop (zero padding)."""
    N, C, H, Wd = x.shape
    FN, _, FH, FW = W.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (P, P), (P, P)))
    OH = (H + 2 * P - D * (FH - 1) - 1) // S + 1
    OW = (Wd + 2 * P - D * (FW - 1) - 1) // S + 1
    out = np.zeros((N, FN, OH, OW))
    for n in range(N):
        for f in range(FN):
            for i in range(OH):
                for j in range(OW):
                    out[n, f, i, j] = b[f] + sum(
                        xp[n, c, i * S + u * D, j * S + v * D] * W[f, c, u, v]
                        for c in range(C) for u in range(FH) for v in range(FW))
    return out


def apply(kid: str, img: np.ndarray, **params: float) -> np.ndarray:
    """One gray image (H, W) through a catalogue kernel, no padding → (OH, OW)."""
    k = get_kernel(kid, **params)
    return conv2d(img[None, None].astype(np.float32), k[None, None])[0, 0]


def step(direction: str, size: int = 8) -> np.ndarray:
    """0 then 1: 'right' = dark left / bright right, 'down' = dark top / bright bottom, etc."""
    img = np.zeros((size, size), np.float32)
    half = size // 2
    if direction == "right":
        img[:, half:] = 1
    elif direction == "left":
        img[:, :half] = 1
    elif direction == "down":
        img[half:, :] = 1
    elif direction == "up":
        img[:half, :] = 1
    return img


# ---- no flip: cross-correlation ------------------------------------------------------------

@pytest.mark.parametrize(("N", "C", "FN", "S", "P", "D"), [
    (1, 1, 1, 1, 0, 1),   # the single-filter path
    (2, 3, 2, 1, 1, 1),   # a small bank over RGB
    (1, 2, 5, 2, 1, 1),   # stride
    (1, 1, 3, 1, 2, 2),   # dilation
    (2, 1, 8, 1, 0, 1),   # many filters
])
def test_conv2d_is_the_cross_correlation_formula(N: int, C: int, FN: int, S: int, P: int,
                                                 D: int) -> None:
    rng = np.random.default_rng(7)
    x = rng.standard_normal((N, C, 9, 10)).astype(np.float32)
    W = rng.standard_normal((FN, C, 2, 3)).astype(np.float32)  # asymmetric: a flip would show
    b = rng.standard_normal(FN).astype(np.float32)
    out = conv2d(x, W, b, stride=S, pad=P, dilation=D)
    assert np.allclose(out, naive(x, W, b, S, P, D), atol=1e-4)
    flipped = naive(x, W[:, :, ::-1, ::-1].copy(), b, S, P, D)
    assert not np.allclose(out, flipped, atol=1e-2)  # the mathematicians' convolution is not it


def test_depthwise_is_cross_correlation_too() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 3, 7, 7)).astype(np.float32)
    K = rng.standard_normal((3, 3)).astype(np.float32)
    out = depthwise_conv2d(x, K)
    W = np.zeros((3, 3, 3, 3), np.float32)
    for c in range(3):
        W[c, c] = K
    assert np.allclose(out, naive(x, W, np.zeros(3)), atol=1e-4)


def test_a_bright_dot_comes_out_as_the_kernel_turned_180_degrees() -> None:
    """The tell-tale of no flip: the impulse response is the kernel rotated by 180°."""
    dot = np.zeros((1, 1, 5, 5), np.float32)
    dot[0, 0, 2, 2] = 1
    W = np.arange(1, 10, dtype=np.float32).reshape(1, 1, 3, 3)
    out = conv2d(dot, W, pad=1)[0, 0, 1:4, 1:4]
    assert out.tolist() == W[0, 0, ::-1, ::-1].tolist()


# ---- signs of the derivative kernels -------------------------------------------------------

@pytest.mark.parametrize(("kid", "peak"), [("sobel-x", 4), ("prewitt-x", 3), ("scharr-x", 16)])
def test_x_gradients_are_positive_where_brightness_increases_to_the_right(kid: str,
                                                                          peak: float) -> None:
    up = apply(kid, step("right"))
    assert up.min() == 0 and up.max() == peak          # dark → bright to the right: positive
    assert (up[:, 2:4] == peak).all()                  # exactly at the edge (columns 3|4)
    assert apply(kid, step("left")).min() == -peak     # bright → dark: negative
    assert not apply(kid, step("down")).any()          # a horizontal edge: nothing


@pytest.mark.parametrize(("kid", "peak"), [("sobel-y", 4), ("prewitt-y", 3), ("scharr-y", 16)])
def test_y_gradients_are_positive_where_brightness_increases_downwards(kid: str,
                                                                       peak: float) -> None:
    down = apply(kid, step("down"))
    assert down.min() == 0 and down.max() == peak      # dark top, bright bottom: positive
    assert (down[2:4, :] == peak).all()
    assert apply(kid, step("up")).min() == -peak       # bright top, dark bottom: negative
    assert not apply(kid, step("right")).any()         # a vertical edge: nothing


@pytest.mark.parametrize(("kid", "centre"), [("laplacian-4", -4), ("laplacian-8", -8),
                                             ("outline", 8)])
def test_laplacians_and_outline_on_a_dot_and_an_edge(kid: str, centre: float) -> None:
    dot = np.zeros((5, 5), np.float32)
    dot[2, 2] = 1
    assert apply(kid, dot)[1, 1] == centre             # the Laplacians negative, outline positive
    row = apply(kid, step("right"))[0]                 # columns 3 (last dark) and 4 (first bright)
    dark, bright = row[2], row[3]
    assert np.sign(bright) == np.sign(centre) and np.sign(dark) == -np.sign(centre)
    assert row[0] == row[-1] == 0                      # flat areas: 0


def test_emboss_brightens_edges_rising_towards_the_bottom_right() -> None:
    """emboss = identity + a diagonal gradient; flat areas keep their value."""
    for rising in ("right", "down"):
        out, img = apply("emboss", step(rising)), step(rising)[1:-1, 1:-1]
        assert (out - img).min() == 0 and (out - img).max() > 0
    for falling in ("left", "up"):
        out, img = apply("emboss", step(falling)), step(falling)[1:-1, 1:-1]
        assert (out - img).max() == 0 and (out - img).min() < 0


# ---- which way the motion-blur angle turns -------------------------------------------------

@pytest.mark.parametrize("angle", [0, 15, 30, 45, 60, 90, 120, 135, 150, 180])
@pytest.mark.parametrize("length", [5, 9, 15])
def test_motion_blur_line_turns_counter_clockwise_on_screen(angle: float, length: int) -> None:
    """Each non-zero cell (row r, column c) lies on the line through the centre with direction
    (dx, dy) = (cos a, −sin a), rows going down: counter-clockwise as the image is seen."""
    k = get_kernel("motion-blur", length=length, angle=angle)
    ctr = (length - 1) / 2
    a = math.radians(angle)
    rows, cols = np.nonzero(k)
    dx, dy = cols - ctr, rows - ctr
    assert np.abs(dx * math.sin(a) + dy * math.cos(a)).max() <= 0.71  # off the line ≤ a rounding
    along = dx * math.cos(a) - dy * math.sin(a)
    assert along.max() >= length / 2 - 1 and along.min() <= -(length / 2 - 1)
    if 0 < angle < 90:
        assert (dy[dx > 0] <= 0).all() and (dy[dx > 0] < 0).any()  # right goes up: /
    if 90 < angle < 180:
        assert (dy[dx > 0] >= 0).all() and (dy[dx > 0] > 0).any()  # right goes down: \


def test_motion_blur_named_angles() -> None:
    h, d45, v, d135 = (get_kernel("motion-blur", length=5, angle=a) for a in (0, 45, 90, 135))
    assert np.nonzero(h)[0].tolist() == [2] * 5        # 0: the middle row, —
    assert np.nonzero(v)[1].tolist() == [2] * 5        # 90: the middle column, |
    assert all(r + c == 4 for r, c in zip(*np.nonzero(d45), strict=True))    # 45: /
    assert all(r == c for r, c in zip(*np.nonzero(d135), strict=True))       # 135: \
    assert np.array_equal(get_kernel("motion-blur", length=5, angle=180), h)


def test_motion_blur_smears_a_dot_along_the_same_line() -> None:
    """The kernel is symmetric under 180°, so the blurred dot is the kernel itself: at 45° a dot
    becomes a / streak (bottom-left to top-right)."""
    k = get_kernel("motion-blur", length=7, angle=45)
    assert np.array_equal(k, k[::-1, ::-1])
    dot = np.zeros((1, 1, 7, 7), np.float32)
    dot[0, 0, 3, 3] = 1
    streak = conv2d(dot, k[None, None], pad=3)[0, 0]
    assert np.allclose(streak, k)
    assert streak[1, 5] > 0 and streak[5, 1] > 0 and streak[1, 1] == 0 == streak[5, 5]


# ---- the descriptions say so ---------------------------------------------------------------

@pytest.mark.parametrize(("kid", "en", "ja"), [
    ("sobel-x", "positive where brightness increases to the right", "右に向かって明るくなる所で正"),
    ("prewitt-x", "positive where brightness increases to the right",
     "右に向かって明るくなる所で正"),
    ("scharr-x", "positive where brightness increases to the right",
     "右に向かって明るくなる所で正"),
    ("sobel-y", "positive where brightness increases downwards", "下に向かって明るくなる所で正"),
    ("prewitt-y", "positive where brightness increases downwards",
     "下に向かって明るくなる所で正"),
    ("scharr-y", "positive where brightness increases downwards", "下に向かって明るくなる所で正"),
    ("laplacian-4", "negative on the bright side", "明るい側や明るい点で負"),
    ("laplacian-8", "negative on the bright side", "明るい側や明るい点で負"),
    ("outline", "positive on the bright side", "明るい側で正"),
    ("emboss", "brighter where brightness increases towards the bottom right", "右下に向かって"),
    ("motion-blur", "counter-clockwise from horizontal", "水平から反時計回り"),
])
def test_descriptions_state_the_checked_behaviour(kid: str, en: str, ja: str) -> None:
    s = CATALOGUE[kid]
    assert en in s.description_en and ja in s.description_ja


@pytest.mark.parametrize("kid", ["sobel-x", "sobel-y", "prewitt-x", "prewitt-y", "scharr-x",
                                 "scharr-y", "emboss"])
def test_asymmetric_kernels_say_they_are_not_flipped(kid: str) -> None:
    s = CATALOGUE[kid]
    assert "no flip" in s.description_en and "cross-correlation" in s.description_en
    assert "反転せず" in s.description_ja and "相互相関" in s.description_ja


def test_kernels_json_descriptions_match_the_catalogue() -> None:
    entries = json.loads(KERNELS_JSON.read_text(encoding="utf-8"))
    assert {e["id"]: e["description_en"] for e in entries} == {
        k: s.description_en for k, s in CATALOGUE.items()}
