"""The kernel catalogue: ids, categories, names in both languages, values, validated parameters."""

import numpy as np
import pytest

from app.engine import CATALOGUE, KernelError, KernelSpec, Param, get_kernel
from app.engine.kernels import CATEGORIES

IDS = ["identity", "box-blur", "gaussian", "sharpen", "unsharp-mask", "laplacian-4", "laplacian-8",
       "sobel-x", "sobel-y", "prewitt-x", "prewitt-y", "scharr-x", "scharr-y", "emboss", "outline",
       "motion-blur"]


def test_catalogue_has_every_id_ordered_by_category() -> None:
    assert set(CATALOGUE) == set(IDS)
    cats = [s.category for s in CATALOGUE.values()]
    assert cats == sorted(cats, key=CATEGORIES.index)
    assert set(cats) == {"smoothing", "sharpening", "edge", "other"}


@pytest.mark.parametrize("kid", IDS)
def test_entry_is_complete_and_builds_float32(kid: str) -> None:
    s = CATALOGUE[kid]
    assert isinstance(s, KernelSpec) and s.id == kid
    for text in (s.name_en, s.name_ja, s.description_en, s.description_ja):
        assert text.strip() and "\n" not in text
    assert any(ord(ch) > 0x3000 for ch in s.name_ja + s.description_ja)
    for p in s.params:
        assert isinstance(p, Param) and p.min <= p.default <= p.max and p.label_ja
    k = get_kernel(kid)
    assert k.dtype == np.float32 and k.ndim == 2 and np.isfinite(k).all()
    assert np.array_equal(k, s.build(**s.defaults()))


@pytest.mark.parametrize(("kid", "total"), [
    ("identity", 1), ("box-blur", 1), ("gaussian", 1), ("motion-blur", 1), ("sharpen", 1),
    ("unsharp-mask", 1), ("emboss", 1), ("laplacian-4", 0), ("laplacian-8", 0), ("sobel-x", 0),
    ("sobel-y", 0), ("prewitt-x", 0), ("prewitt-y", 0), ("scharr-x", 0), ("scharr-y", 0),
    ("outline", 0),
])
def test_kernel_sums(kid: str, total: float) -> None:
    assert abs(float(get_kernel(kid).sum()) - total) < 1e-5


def test_classic_values() -> None:
    assert get_kernel("sobel-x").tolist() == [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    assert get_kernel("sobel-y").tolist() == np.array(get_kernel("sobel-x")).T.tolist()
    assert get_kernel("laplacian-4").tolist() == [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
    assert get_kernel("sharpen").tolist() == [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
    assert get_kernel("scharr-y").tolist() == [[-3, -10, -3], [0, 0, 0], [3, 10, 3]]
    assert np.allclose(get_kernel("box-blur", size=5), 1 / 25)


def test_gaussian_shape_symmetry_and_peak() -> None:
    g = get_kernel("gaussian", size=7, sigma=1.5)
    assert g.shape == (7, 7)
    assert np.allclose(g, g.T) and np.allclose(g, g[::-1, ::-1])
    assert g.argmax() == 24  # the centre
    g1 = np.exp(-np.arange(-3, 4) ** 2 / (2 * 1.5**2))
    assert np.allclose(g, np.outer(g1, g1) / np.outer(g1, g1).sum(), atol=1e-7)


def test_motion_blur_lines() -> None:
    h = get_kernel("motion-blur", length=5, angle=0)
    assert np.allclose(h[2], 0.2) and h.sum(axis=1).tolist()[:2] == [0, 0]
    v = get_kernel("motion-blur", length=5, angle=90)
    assert np.allclose(v[:, 2], 0.2) and float(v.sum()) == pytest.approx(1)
    d = get_kernel("motion-blur", length=5, angle=45)
    assert np.allclose(d, d.T) and float(np.fliplr(d).trace()) == pytest.approx(1)


def test_unsharp_mask_is_identity_plus_amount_times_detail() -> None:
    u = get_kernel("unsharp-mask", amount=2.0, size=3, sigma=1.0)
    g = get_kernel("gaussian", size=3, sigma=1.0)
    ident = np.zeros((3, 3), np.float32)
    ident[1, 1] = 1
    assert np.allclose(u, ident + 2.0 * (ident - g), atol=1e-6)


@pytest.mark.parametrize(("kid", "params", "field"), [
    ("gaussian", {"size": 4}, "size"), ("gaussian", {"size": 33}, "size"),
    ("gaussian", {"sigma": 0.0}, "sigma"), ("gaussian", {"sigma": float("nan")}, "sigma"),
    ("motion-blur", {"angle": 181}, "angle"), ("motion-blur", {"length": 1}, "length"),
    ("box-blur", {"size": "3"}, "size"), ("box-blur", {"size": True}, "size"),
    ("sharpen", {"amount": -0.1}, "amount"), ("sobel-x", {"size": 3}, "size"),
    ("unsharp-mask", {"size": 2.5}, "size"),
])
def test_bad_parameters_name_field_and_limit(kid: str, params: dict, field: str) -> None:
    with pytest.raises(KernelError) as e:
        get_kernel(kid, **params)
    assert e.value.field == field
    assert isinstance(e.value, ValueError)
    if kid != "sobel-x":
        assert e.value.limit and e.value.limit in str(e.value)


def test_limits_are_inclusive() -> None:
    assert get_kernel("gaussian", size=31, sigma=10.0).shape == (31, 31)
    assert get_kernel("gaussian", size=3, sigma=0.1).shape == (3, 3)
    assert get_kernel("box-blur", size=3.0).shape == (3, 3)
    assert CATALOGUE["gaussian"].params[0].limit == "3..31 (odd)"


def test_unknown_kernel() -> None:
    with pytest.raises(KernelError) as e:
        get_kernel("blur-everything")
    assert e.value.field == "kernel" and e.value.limit is None
    assert "gaussian" in str(e.value)


@pytest.mark.parametrize("value", [10**400, -(10**400), 10**309, 2**1024])
@pytest.mark.parametrize(("kid", "name"), [("gaussian", "size"), ("gaussian", "sigma"),
                                           ("motion-blur", "angle")])
def test_huge_integers_are_out_of_range_not_overflow(kid: str, name: str, value: int) -> None:
    """A 400-digit integer is refused like any other out-of-range value (issue 16, item 5)."""
    spec = CATALOGUE[kid]
    limit = next(p for p in spec.params if p.name == name).limit
    with pytest.raises(KernelError, match="outside") as e:
        get_kernel(kid, **{name: value})
    assert e.value.field == name and e.value.limit == limit
    assert len(str(e.value)) < 120  # the message does not echo 400 digits


def test_integer_limits_around_float_range() -> None:
    """size at LIMIT (31) builds, LIMIT + 2 (the next odd) and 10**400 are refused."""
    assert get_kernel("box-blur", size=31).shape == (31, 31)
    for v in (33, 10**400):
        with pytest.raises(KernelError) as e:
            get_kernel("box-blur", size=v)
        assert e.value.field == "size" and e.value.limit == "3..31 (odd)"


def test_names_live_in_kernels_json_and_no_japanese_in_engine_python() -> None:
    """Every entry's text comes from kernels.json (both languages); no Japanese in *.py."""
    import json
    import re
    from pathlib import Path

    engine = Path(__file__).resolve().parents[2] / "app" / "engine"
    entries = json.loads((engine / "kernels.json").read_text(encoding="utf-8"))
    assert [e["id"] for e in entries] and {e["id"] for e in entries} == set(CATALOGUE)
    for e in entries:
        s = CATALOGUE[e["id"]]
        assert (s.name_en, s.name_ja, s.description_ja) == (e["name_en"], e["name_ja"],
                                                            e["description_ja"])
        assert all(p["label_en"] and p["label_ja"] for p in e["params"])
    japanese = re.compile("[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")
    offenders = [p.relative_to(engine).as_posix() for p in engine.rglob("*.py")
                 if japanese.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
