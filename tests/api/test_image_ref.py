"""Uploaded once, referred to later: image_ref (sha256) through the shared store's image cache,
its eviction (cap), unknown refs (410) and the values formats the page uses."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable

import numpy as np
from fastapi.testclient import TestClient

from app.engine.reference import conv2d_naive
from app.services.values import dequantise, quantise
from tests.api.helpers import gradient, image_bytes

SPEC = {"kernel": "sobel-x", "pad": 1, "include_values": True, "previews": False}


def _post(client: TestClient, spec: dict, *, png: bytes | None = None, ref: str | None = None,
          lang: str = "en") -> object:
    parts: dict[str, tuple[str | None, bytes | str, str]] = {
        "spec": (None, json.dumps(spec), "application/json")}  # multipart, as a FormData
    if png is not None:
        parts["image"] = ("a.png", png, "image/png")
    if ref is not None:
        parts["image_ref"] = (None, ref, "text/plain")
    return client.post("/api/convolve", files=parts, headers={"Accept-Language": lang})


def _values(stage: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(stage["values_b64"]), "<f4")


def _png(seed: int) -> bytes:
    return image_bytes(np.random.default_rng(seed).integers(0, 256, (12, 16), dtype=np.uint8))


def test_upload_returns_sha256_ref_and_ref_gives_same_result(client: TestClient) -> None:
    png = image_bytes(gradient(24, 32, rgb=False))
    first = _post(client, SPEC, png=png)
    assert first.status_code == 200
    ref = first.json()["image_ref"]
    assert ref == hashlib.sha256(png).hexdigest()
    again = _post(client, {**SPEC, "pad": 0}, ref=ref)
    assert again.status_code == 200, again.text
    body = again.json()
    assert body["image_ref"] == ref
    assert body["shape"] == [1, 1, 22, 30]
    direct = _post(client, {**SPEC, "pad": 0}, png=png).json()
    np.testing.assert_array_equal(_values(body["stages"][1]), _values(direct["stages"][1]))


def test_unknown_ref_is_410_in_both_languages(client: TestClient) -> None:
    ref = "0" * 64
    r = _post(client, SPEC, ref=ref)
    assert r.status_code == 410
    err = r.json()["error"]
    assert (err["code"], err["field"]) == ("image_ref_unknown", "image_ref")
    assert "send the file again" in err["message"]
    ja = _post(client, SPEC, ref=ref, lang="ja").json()["error"]["message"]
    assert "もう一度送って" in ja


def test_ref_must_be_64_hex_and_not_with_a_file(client: TestClient) -> None:
    assert _post(client, SPEC, ref="abc").status_code == 422
    assert _post(client, SPEC, ref="G" * 64).status_code == 422
    png = _png(1)
    r = _post(client, SPEC, png=png, ref=hashlib.sha256(png).hexdigest())
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "image_ref_unknown"
    assert r.json()["error"]["field"] == "image_ref"


def test_cache_keeps_cap_newest(client: TestClient, override: Callable[..., None]) -> None:
    override(image_cache_cap=3)
    refs = [_post(client, SPEC, png=_png(100 + i)).json()["image_ref"] for i in range(3)]
    assert all(_post(client, SPEC, ref=r).status_code == 200 for r in refs)  # LIMIT: all kept
    _post(client, SPEC, png=_png(103))                                         # LIMIT + 1
    assert _post(client, SPEC, ref=refs[0]).status_code == 410
    assert all(_post(client, SPEC, ref=r).status_code == 200 for r in refs[1:])


def test_a_batch_gets_no_ref(client: TestClient) -> None:
    files = [("image", ("a.png", _png(5), "image/png")), ("image", ("b.png", _png(6), "image/png"))]
    r = client.post("/api/convolve", files=files, data={"spec": json.dumps(SPEC)})
    assert r.status_code == 200
    assert r.json()["image_ref"] is None


def test_value_stages_and_quantised_formats(client: TestClient) -> None:
    png = image_bytes(gradient(24, 32, rgb=True))
    exact = _post(client, {**SPEC, "color": "rgb", "depthwise": True}, png=png).json()
    conv = exact["stages"][1]
    x = _values(conv).reshape(conv["shape"])
    for fmt, top in (("u8", 255), ("u16", 65535)):
        body = _post(client, {**SPEC, "color": "rgb", "depthwise": True, "values_format": fmt,
                              "value_stages": ["conv"]}, png=png).json()
        stages = {s["name"]: s for s in body["stages"]}
        assert stages["input"]["values_b64"] is None
        assert stages["conv"]["values_format"] == fmt
        q = stages["conv"]
        got = dequantise(base64.b64decode(q["values_b64"]), tuple(conv["shape"]), fmt,
                         q["values_lo"], q["values_step"])
        assert q["values_step"] <= (conv["max"] - conv["min"]) / (top - 1)   # widened a little
        assert np.abs(got - x).max() <= q["values_step"] * 0.5001
        assert np.all(got[x == 0] == 0)                     # zeros stay zeros (sobel: flat rows)


def test_quantise_round_trip_zero_on_the_grid_and_flat_maps() -> None:
    x = np.array([[[0.0, 1.0, 0.5, 0.25]], [[1.0, 0.0, 0.0, 1.0]]], np.float32)
    signed = np.array([[[-4.0, -1e-3, 0.0, 0.3, 3.0, 0.0]]], np.float32)
    for fmt, top in (("u8", 255), ("u16", 65535)):
        data, lo, step = quantise(x, fmt)
        assert (lo, step) == (0.0, 1.0 / top)
        back = dequantise(data, x.shape, fmt, lo, step)
        assert np.abs(back - x).max() <= 0.5 / top + 1e-7
        data, lo, step = quantise(signed, fmt)
        back = dequantise(data, signed.shape, fmt, lo, step)
        assert back[0, 0, 2] == 0 and back[0, 0, 5] == 0
        assert np.abs(back - signed).max() <= step / 2 + 1e-6 and lo <= -4 and lo + top * step >= 3
    flat = np.full((1, 1, 2, 3), 7.0, np.float32)
    data, lo, step = quantise(flat, "u8")
    np.testing.assert_array_equal(dequantise(data, flat.shape, "u8", lo, step), flat)
    data, _, _ = quantise(x, "f32")
    np.testing.assert_array_equal(dequantise(data, x.shape, "f32", 0, 0), x)


def test_rgb_summed_as_slide_11_matches_reference(client: TestClient) -> None:
    """color rgb without depthwise: one filter (1, 3, FH, FW) summed over channels (FN = 1)."""
    rgb = gradient(10, 12, rgb=True)
    kernel = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
    body = _post(client, {**SPEC, "kernel": kernel, "color": "rgb", "depthwise": False,
                          "bias": 0.5}, png=image_bytes(rgb)).json()
    conv = body["stages"][1]
    assert conv["shape"] == [1, 1, 10, 12]
    x = (rgb.astype(np.float32) / 255).transpose(2, 0, 1)[None]
    w = np.broadcast_to(np.array(kernel, np.float32), (1, 3, 3, 3))
    want = conv2d_naive(x, w, np.array([0.5], np.float32), stride=1, pad=1)
    np.testing.assert_allclose(_values(conv).reshape(1, 1, 10, 12), want, atol=1e-5)


def test_include_output_false_leaves_output_out(client: TestClient) -> None:
    png = image_bytes(gradient(8, 8, rgb=False))
    assert _post(client, SPEC, png=png).json()["output"] is not None
    body = _post(client, {**SPEC, "include_output": False}, png=png).json()
    assert body["output"] is None and body["stages"][1]["values_b64"]


def test_image_cache_passes_ttl_and_cap_from_settings() -> None:
    from app.config import Settings
    from app.errors import ApiError
    from app.services import image_cache

    class Memory:  # the store's put/get, recording what it was given
        def __init__(self) -> None:
            self.data: dict[tuple[str, str], bytes] = {}
            self.calls: list[tuple[float | None, int | None]] = []

        def put(self, ns: str, key: str, value: bytes, ttl: float | None = None,
                cap: int | None = None) -> None:
            self.data[(ns, key)] = value
            self.calls.append((ttl, cap))

        def get(self, ns: str, key: str) -> bytes | None:
            return self.data.get((ns, key))

    store = Memory()
    settings = Settings(image_cache_ttl_s=12.5, image_cache_cap=7)
    ref = image_cache.keep(store, b"abc", settings)  # type: ignore[arg-type]
    assert ref == hashlib.sha256(b"abc").hexdigest() and store.calls == [(12.5, 7)]
    assert image_cache.load(store, ref) == b"abc"  # type: ignore[arg-type]
    for bad in ("f" * 64, "../etc/passwd"):
        try:
            image_cache.load(store, bad)  # type: ignore[arg-type]
        except ApiError as e:
            assert (e.code, e.status, e.field) == ("image_ref_unknown", 410, "image_ref")
        else:
            raise AssertionError(bad)
