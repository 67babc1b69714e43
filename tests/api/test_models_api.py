"""/api/models: list, layers, filters, predict — checked against the engine on the same input.

Until trained weights ship, the networks are B's architectures with random weights saved into
tmp_path; the tests that need trained weights use the shipped models and skip when absent.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from app.config import Settings, get_settings
from app.deps import get_models
from app.engine.network import Network, build
from app.imaging.decode import decode_image
from app.imaging.digits import prepare_digit
from app.main import create_app
from app.models.store import SHIPPED_DIR, ModelStore

SIMPLE_STAGES = ["input", "conv1", "relu1", "pool1", "affine1", "relu2", "affine2", "softmax"]


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("models")
    for i, model_id in enumerate(("simple-convnet", "slide4-cnn")):
        build(model_id, seed=i).save(d / f"{model_id}.npz")
    (d / "simple-convnet.json").write_text(json.dumps({"validation_accuracy": 0.987, "seed": 0}))
    (d / "broken.npz").write_bytes(b"not a zip file")
    return d


@pytest.fixture(scope="module")
def store(models_dir: Path) -> ModelStore:
    return ModelStore.from_dirs([models_dir])


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def client(store: ModelStore, settings: Settings) -> Iterator[TestClient]:
    app = create_app()
    app.dependency_overrides[get_models] = lambda: store
    app.dependency_overrides[get_settings] = lambda: settings
    with TestClient(app) as c:
        yield c


def _digit(seed: int = 0) -> np.ndarray:
    x = np.zeros((28, 28), np.float32)
    x[4:24, 12:16] = 1.0
    x += np.random.default_rng(seed).uniform(0, 0.2, x.shape).astype(np.float32)
    return np.clip(x, 0, 1)


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _data_url_image(url: str) -> Image.Image:
    assert url.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))


# ---- the store ---------------------------------------------------------------------------------
def test_store_skips_a_corrupt_file_and_ids_are_file_stems(store: ModelStore,
                                                           caplog: pytest.LogCaptureFixture,
                                                           models_dir: Path) -> None:
    assert store.ids() == ["simple-convnet", "slide4-cnn"]
    with caplog.at_level("ERROR", logger="convscope.models"):
        ModelStore.from_dirs([models_dir])
    assert any("broken.npz" in r.getMessage() for r in caplog.records)


def test_models_dir_setting_adds_models_beside_the_shipped_ones(models_dir: Path,
                                                                tmp_path: Path) -> None:
    build("simple-convnet", seed=5).save(tmp_path / "my-import.npz")
    s = ModelStore.from_settings(Settings(models_dir=tmp_path))
    assert "my-import" in s and s.get("my-import").id == "my-import"
    assert {p.stem for p in SHIPPED_DIR.glob("*.npz")} <= set(s.ids())
    missing = ModelStore.from_settings(Settings(models_dir=tmp_path / "nope"))  # logged, no crash
    assert "my-import" not in missing


def test_lifespan_loads_the_store_once_and_models_dep_serves_it() -> None:
    app = create_app()
    with TestClient(app) as c:
        store = app.state.models
        assert isinstance(store, ModelStore)
        assert {p.stem for p in SHIPPED_DIR.glob("*.npz")} <= set(store.ids())
        c.get("/api/models")
        assert app.state.models is store  # not reloaded per request


def test_without_lifespan_the_dependency_loads_the_store_itself() -> None:
    app = create_app()
    r = TestClient(app).get("/api/models")  # no `with`: lifespan does not run
    assert r.status_code == 200 and isinstance(app.state.models, ModelStore)


# ---- list and detail ---------------------------------------------------------------------------
def test_list_models(client: TestClient) -> None:
    r = client.get("/api/models")
    assert r.status_code == 200
    rows = {m["id"]: m for m in r.json()["models"]}
    assert list(rows) == ["simple-convnet", "slide4-cnn"]
    simple = rows["simple-convnet"]
    assert simple["input_shape"] == [1, 28, 28]
    assert simple["accuracy"] == 0.987  # from the model card
    assert simple["params"] == 780 + 432_100 + 1_010
    assert simple["conv_layers"] == ["conv1"]
    assert rows["slide4-cnn"]["conv_layers"] == ["conv1", "conv2", "conv3"]


def test_model_detail_has_layers_with_shapes_and_parameter_counts(client: TestClient) -> None:
    r = client.get("/api/models/simple-convnet")
    assert r.status_code == 200
    layers = r.json()["layers"]
    assert [x["name"] for x in layers] == SIMPLE_STAGES
    shapes = {x["name"]: x["output_shape"] for x in layers}
    params = {x["name"]: x["params"] for x in layers}
    assert shapes["conv1"] == [30, 24, 24] and shapes["pool1"] == [30, 12, 12]
    assert shapes["affine1"] == [100] and shapes["softmax"] == [10]
    assert params == {"input": 0, "conv1": 30 * 25 + 30, "relu1": 0, "pool1": 0,
                      "affine1": 4320 * 100 + 100, "relu2": 0, "affine2": 1010, "softmax": 0}


def test_unknown_model_is_404_in_the_error_shape(client: TestClient) -> None:
    for method, path in (("GET", "/api/models/nope"), ("GET", "/api/models/nope/filters"),
                         ("POST", "/api/models/nope/predict")):
        r = client.request(method, path, json={"input": _digit().tolist()})
        assert r.status_code == 404, path
        err = r.json()["error"]
        assert err["code"] == "unknown_model" and err["field"] == "model_id"
        assert "simple-convnet" in err["message"]
    ja = client.get("/api/models/nope", headers={"Accept-Language": "ja"})
    assert "モデル" in ja.json()["error"]["message"]


# ---- filters -----------------------------------------------------------------------------------
def test_filters_json_equals_conv_weights(client: TestClient, store: ModelStore) -> None:
    r = client.get("/api/models/slide4-cnn/filters", params={"layer": "conv2"})
    assert r.status_code == 200
    body = r.json()
    W = store.get("slide4-cnn").conv_weights("conv2")
    assert body["shape"] == list(W.shape) and W.ndim == 4 and W.shape[1] > 1  # conv2 sees C > 1
    np.testing.assert_array_equal(np.asarray(body["weights"], np.float32), W)
    np.testing.assert_array_equal(np.asarray(body["bias"], np.float32),
                                  store.get("slide4-cnn").params["conv2.b"])
    assert body["min"] == float(W.min()) and body["max"] == float(W.max())


def test_filters_grid_png_as_data_url_and_as_image(client: TestClient, store: ModelStore) -> None:
    body = client.get("/api/models/simple-convnet/filters?layer=conv1").json()
    grid = _data_url_image(body["grid"])
    # 30 filters of 5×5 at 8 px per weight: 6 columns × 5 rows of 40 px tiles, 4 px gaps.
    assert grid.size == (6 * 40 + 5 * 4, 5 * 40 + 4 * 4)
    tile = np.asarray(grid.convert("L"))[:40, :40]
    w0 = store.get("simple-convnet").conv_weights("conv1")[0, 0]
    # gray_r scaled to the filter's own range: the largest weight is black, the smallest white.
    big, small = np.unravel_index(w0.argmax(), w0.shape), np.unravel_index(w0.argmin(), w0.shape)
    assert tile[big[0] * 8 + 3, big[1] * 8 + 3] == 0
    assert tile[small[0] * 8 + 3, small[1] * 8 + 3] == 255
    r = client.get("/api/models/simple-convnet/filters", headers={"Accept": "image/png"})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(r.content))), np.asarray(grid))


def test_unknown_layer_is_422_naming_the_layer(client: TestClient) -> None:
    r = client.get("/api/models/simple-convnet/filters?layer=conv9")
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["field"] == "layer" and err["code"] == "unknown_layer" and err["limit"] == "conv1"


# ---- predict -----------------------------------------------------------------------------------
def test_json_predict_equals_engine_predict(client: TestClient, store: ModelStore) -> None:
    x = _digit()
    r = client.post("/api/models/simple-convnet/predict", json={"input": x.tolist()})
    assert r.status_code == 200
    body = r.json()
    net = store.get("simple-convnet")
    expected = net.predict(x[None, None])[0]
    np.testing.assert_allclose(body["probabilities"], expected, rtol=1e-6, atol=1e-7)
    assert body["label"] == int(expected.argmax())
    assert body["input"]["preparation"]["source"] == "json"
    np.testing.assert_array_equal(np.asarray(body["input"]["values"], np.float32), x)
    stages = net.forward_stages(x[None, None])
    assert [s["name"] for s in body["stages"]] == SIMPLE_STAGES
    for got, want in zip(body["stages"], stages, strict=True):
        assert got["kind"] == want.kind and got["shape"] == list(want.data.shape[1:])
        assert got["min"] == pytest.approx(float(want.data.min()), abs=1e-6)
        assert got["max"] == pytest.approx(float(want.data.max()), abs=1e-6)
        assert got["mean"] == pytest.approx(float(want.data.mean()), abs=1e-6)


def test_stages_have_channel_previews_and_values_for_small_maps(client: TestClient,
                                                                store: ModelStore) -> None:
    x = _digit(1)
    body = client.post("/api/models/slide4-cnn/predict", json={"input": x.tolist()}).json()
    by_name = {s["name"]: s for s in body["stages"]}
    want = {s.name: s.data[0] for s in store.get("slide4-cnn").forward_stages(x[None, None])}
    conv1 = by_name["conv1"]  # the shapes follow the shipped weights (B may resize the model)
    fn1 = want["conv1"].shape[0]
    assert conv1["shape"] == [fn1, 28, 28] and conv1["channels_shown"] == min(fn1, 64)
    assert conv1["scale"] == "diverging" and conv1["values"] is None  # > 2,048 values: too big
    assert _data_url_image(conv1["previews"][3]).size == (28, 28)
    assert by_name["relu1"]["scale"] == "sequential"
    small = [n for n, a in want.items() if n.startswith("conv") and a.size <= 2048]
    assert small, "slide4-cnn should have a conv map small enough to send its values"
    for name in small:
        np.testing.assert_allclose(np.asarray(by_name[name]["values"], np.float32), want[name],
                                   atol=1e-6)
    assert by_name["softmax"]["previews"] is None and len(by_name["softmax"]["values"]) == 10


def test_previews_are_capped_by_max_preview_maps(client: TestClient, settings: Settings) -> None:
    settings.max_preview_maps = 8
    body = client.post("/api/models/simple-convnet/predict",
                       json={"input": _digit().tolist()}).json()
    conv1 = next(s for s in body["stages"] if s["name"] == "conv1")
    assert conv1["channels_shown"] == 8 and len(conv1["previews"]) == 8
    off = client.post("/api/models/simple-convnet/predict",
                      json={"input": _digit().tolist(), "previews": False}).json()
    assert all(s["previews"] is None for s in off["stages"])


def test_uploaded_image_is_prepared_the_mnist_way(client: TestClient, store: ModelStore) -> None:
    img = Image.new("L", (120, 90), 255)  # a dark stroke on light paper, off-centre
    ImageDraw.Draw(img).line([(20, 10), (30, 70)], fill=0, width=9)
    data = _png(img)
    r = client.post("/api/models/simple-convnet/predict", files={"image": ("d.png", data)})
    assert r.status_code == 200
    body = r.json()
    prep = body["input"]["preparation"]
    assert prep["source"] == "upload" and prep["inverted"] is True and prep["empty"] is False
    expected = prepare_digit(decode_image(data, color="gray").array[0])
    np.testing.assert_array_equal(np.asarray(body["input"]["values"], np.float32), expected.image)
    assert prep["bbox"] == list(expected.bbox) and prep["offset"] == list(expected.offset)
    probs = store.get("simple-convnet").predict(expected.image[None, None])[0]
    np.testing.assert_allclose(body["probabilities"], probs, rtol=1e-6, atol=1e-7)
    assert _data_url_image(body["input"]["preview"]).size == (28, 28)


@pytest.mark.parametrize(("payload", "field", "code"), [
    ({"input": [[0.0] * 28] * 27}, "input", "too_few_items"),
    ({"input": [[0.0] * 28] * 28 + [[0.0] * 28]}, "input", "too_many_items"),
    ({"input": [[0.0] * 29] + [[0.0] * 28] * 27}, "input.0", "too_many_items"),
    ({"input": [[0.0] * 28] * 3 + [[0.0] * 4 + [1.5] + [0.0] * 23] + [[0.0] * 28] * 24},
     "input.3.4", "out_of_range"),
    ({"input": [[0.0] * 28] * 3 + [[0.0] * 4 + [-0.1] + [0.0] * 23] + [[0.0] * 28] * 24},
     "input.3.4", "out_of_range"),
    ({}, "input", "missing"),
    ({"input": [[0.0] * 28] * 28, "extra": 1}, "extra", "unknown_field"),
])
def test_bad_json_input_is_422_naming_the_field(client: TestClient, payload: dict, field: str,
                                                code: str) -> None:
    r = client.post("/api/models/simple-convnet/predict", json=payload)
    assert r.status_code == 422
    err = r.json()["error"]
    assert (err["field"], err["code"]) == (field, code)


def test_limits_at_the_edge_of_the_unit_range_are_accepted(client: TestClient) -> None:
    x = np.zeros((28, 28))
    x[0, 0], x[27, 27] = 1.0, 0.0
    assert client.post("/api/models/simple-convnet/predict",
                       json={"input": x.tolist()}).status_code == 200


def test_bad_uploads_and_content_types(client: TestClient) -> None:
    url = "/api/models/simple-convnet/predict"
    missing = client.post(url, files={"picture": ("d.png", b"x")})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "image"
    corrupt = client.post(url, files={"image": ("d.png", b"\x89PNG\r\n\x1a\nbroken")})
    assert corrupt.status_code == 400 and corrupt.json()["error"]["field"] == "image"
    text = client.post(url, content=b"hello", headers={"Content-Type": "text/plain"})
    assert text.status_code == 415 and text.json()["error"]["field"] == "content-type"
    bad_json = client.post(url, content=b"{", headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()["error"]["code"] == "invalid_json"
    flag = client.post(url, files={"image": ("d.png", b"x")}, data={"previews": "maybe"})
    assert flag.status_code == 422 and flag.json()["error"]["field"] == "previews"


@pytest.mark.parametrize(("side", "resized"), [(512, None), (513, [513, 513])])
def test_uploads_past_512_pixels_are_shrunk_and_say_so(client: TestClient, side: int,
                                                       resized: list[int] | None) -> None:
    img = Image.new("L", (side, side), 0)
    ImageDraw.Draw(img).line([(side // 2, side // 8), (side // 2, side * 7 // 8)], fill=255,
                             width=side // 12)
    body = client.post("/api/models/simple-convnet/predict",
                       files={"image": ("big.png", _png(img))}).json()
    assert body["input"]["preparation"]["resized_from"] == resized


def test_curve_is_served_when_the_model_has_one(client: TestClient) -> None:
    r = client.get("/api/models/simple-convnet/curve.png")
    assert r.status_code == 404 and r.json()["error"]["field"] == "model_id"
    assert client.get("/api/models").json()["models"][0]["curve_url"] is None


def test_blank_upload_is_reported_empty(client: TestClient) -> None:
    data = _png(Image.new("L", (50, 50), 255))
    body = client.post("/api/models/simple-convnet/predict",
                       files={"image": ("blank.png", data)}).json()
    assert body["input"]["preparation"]["empty"] is True
    assert not np.asarray(body["input"]["values"]).any()


# ---- the shipped, trained models ---------------------------------------------------------------
def _shipped() -> ModelStore:
    store = ModelStore.from_dirs([SHIPPED_DIR])
    if "simple-convnet" not in store:
        pytest.skip(f"no trained simple-convnet in {SHIPPED_DIR} (train it with `convscope train`)")
    return store


def test_shipped_models_load_with_their_cards() -> None:
    store = _shipped()
    for entry in store:
        assert isinstance(entry.network, Network)
        assert entry.network.input_shape in ((1, 28, 28), (3, 32, 32))  # digits; color-vgg
        assert entry.accuracy is not None and entry.accuracy >= 0.97
    app = create_app()
    app.dependency_overrides[get_models] = lambda: store
    with TestClient(app) as c:
        listed = c.get("/api/models").json()["models"]
        for row in listed:
            if row["curve_url"]:
                png = c.get(row["curve_url"])
                assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert any(row["curve_url"] for row in listed)


@pytest.mark.parametrize("model_id", ["simple-convnet", "slide4-cnn"])
def test_a_drawn_one_is_predicted_as_one(model_id: str) -> None:
    store = _shipped()
    if model_id not in store:
        pytest.skip(f"{model_id} not shipped yet")
    app = create_app()
    app.dependency_overrides[get_models] = lambda: store
    img = Image.new("L", (280, 280), 0)  # white stroke on black, as the page's pad draws
    ImageDraw.Draw(img).line([(150, 40), (135, 240)], fill=255, width=20)
    with TestClient(app) as c:
        r = c.post(f"/api/models/{model_id}/predict", files={"image": ("one.png", _png(img))})
    assert r.status_code == 200
    body = r.json()
    assert body["label"] == 1, body["probabilities"]
    assert max(body["probabilities"]) == body["probabilities"][1]
