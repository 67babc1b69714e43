"""Every input-safety limit at LIMIT (accepted) and LIMIT + 1 (refused in the error shape)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import get_settings
from app.errors import ApiError
from app.services.kernels import check_kernel_values
from tests.api.helpers import SLIDE7_INPUT, SLIDE_KERNEL, gradient, image_bytes

MiB = 1024 * 1024


def _error(r, status: int, code: str, field: str | None = None, limit=None) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code, err
    if field is not None:
        assert err["field"] == field, err
    if limit is not None:
        assert err["limit"] == limit, err
    return err


def _padded_body(size: int) -> bytes:
    """A valid convolve request padded with spaces to exactly `size` bytes."""
    head = json.dumps({"input": SLIDE7_INPUT, "spec": {"kernel": SLIDE_KERNEL}}).encode()
    return head[:-1] + b" " * (size - len(head)) + b"}"


def _chunks(data: bytes) -> Iterator[bytes]:
    for i in range(0, len(data), 256 * 1024):
        yield data[i:i + 256 * 1024]


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_body_size_limit(client: TestClient, streamed: bool) -> None:
    limit = get_settings().max_body_bytes
    assert limit == 10 * MiB
    for size, status in ((limit, 200), (limit + 1, 413)):
        data = _padded_body(size)
        assert len(data) == size
        r = client.post("/api/convolve", content=_chunks(data) if streamed else data,
                        headers={"content-type": "application/json"})
        assert ("content-length" in r.request.headers) is not streamed
        if status == 200:
            assert r.status_code == 200, r.text
            assert r.json()["output"] == [[[[15, 16], [6, 15]]]]
        else:
            _error(r, 413, "body_too_large", "body", limit)


def test_body_size_limit_on_multipart_and_other_paths(client: TestClient) -> None:
    limit = get_settings().max_body_bytes
    big = b"\0" * (limit + 1)
    r = client.post("/api/convolve", files=[("image", ("a.png", big, "image/png"))])
    _error(r, 413, "body_too_large", "body", limit)
    _error(client.post("/api/nowhere", content=big), 413, "body_too_large")


def _images(client: TestClient, n: int):
    png = image_bytes(gradient(4, 4, rgb=False))
    files = [("image", (f"{i}.png", png, "image/png")) for i in range(n)]
    return client.post("/api/convolve", files=files, data={"spec": json.dumps({"kernel": [[1]]})})


def test_image_count_limit(client: TestClient) -> None:
    n = get_settings().max_images
    assert n == 16
    r = _images(client, n)
    assert r.status_code == 200 and r.json()["shape"] == [16, 1, 4, 4]
    _error(_images(client, n + 1), 422, "too_many_images", "image", n)
    _error(_images(client, 3 * n), 422, "too_many_images", "image", n)


def _conv(client: TestClient, input_: list, headers: dict | None = None, **spec: object):
    return client.post("/api/convolve", json={"input": input_, "spec": spec}, headers=headers or {})


def test_kernel_side_limit(client: TestClient) -> None:
    side = get_settings().max_kernel_side
    assert side == 31
    x = [[1.0] * 32 for _ in range(32)]
    r = _conv(client, x, kernel=[[1.0] * side for _ in range(side)])
    assert r.status_code == 200 and r.json()["output"] == [[[[961.0, 961.0], [961.0, 961.0]]]]
    _error(_conv(client, x, kernel=[[1.0] * (side + 1)] * (side + 1)), 422, "kernel_too_large",
           "spec.kernel", side)
    _error(_conv(client, x, kernel=[[1.0] * (side + 1)]), 422, "kernel_too_large")  # 1×32


def test_filter_count_limit(client: TestClient) -> None:
    fn = get_settings().max_filters
    assert fn == 64
    r = _conv(client, SLIDE7_INPUT, kernel=[[[[i]]] for i in range(fn)])
    assert r.status_code == 200 and r.json()["shape"] == [1, 64, 4, 4]
    _error(_conv(client, SLIDE7_INPUT, kernel=[[[[i]]] for i in range(fn + 1)]), 422,
           "too_many_filters", "spec.kernel", fn)


def test_compute_budget_in_multiply_adds(client: TestClient, override: Callable) -> None:
    # slide 7: 2×2 outputs · 3×3 kernel · C 1 · FN 1 = 36 multiply-adds
    override(max_macs=36)
    assert _conv(client, SLIDE7_INPUT, kernel=SLIDE_KERNEL).status_code == 200
    override(max_macs=35)
    err = _error(_conv(client, SLIDE7_INPUT, kernel=SLIDE_KERNEL), 422, "budget_exceeded",
                 "max_macs", 35)
    assert "36" in err["message"]


def test_compute_budget_in_output_values(client: TestClient, override: Callable) -> None:
    # values produced: input 16 + conv 4 + relu 4 + pool 1 = 25
    spec = {"kernel": SLIDE_KERNEL, "activation": "relu", "pool": {"type": "max", "size": 2}}
    override(max_output_values=25)
    assert _conv(client, SLIDE7_INPUT, **spec).status_code == 200
    override(max_output_values=24)
    _error(_conv(client, SLIDE7_INPUT, **spec), 422, "budget_exceeded", "max_output_values", 24)


def test_kernel_larger_than_the_padded_input(client: TestClient) -> None:
    x = [[1, 2], [3, 4]]
    assert _conv(client, x, kernel=SLIDE_KERNEL, pad=1).status_code == 200  # 4×4 padded: fits
    err = _error(_conv(client, x, kernel=[[1] * 5] * 5, pad=1), 422, "kernel_larger_than_input",
                 "spec.kernel", "4x4")
    assert "4×4" in err["message"]


def test_nested_list_size_limit(client: TestClient, override: Callable) -> None:
    override(max_input_values=16)
    assert _conv(client, [[1] * 16], kernel=[[1]]).status_code == 200
    _error(_conv(client, [[1] * 17], kernel=[[1]]), 422, "input_too_large", "input", 16)


def test_include_values_cap(client: TestClient, override: Callable) -> None:
    override(max_values_b64=20)  # input 16 + conv 4
    r = _conv(client, SLIDE7_INPUT, kernel=SLIDE_KERNEL, include_values=True)
    assert r.status_code == 200 and all(s["values_b64"] for s in r.json()["stages"])
    override(max_values_b64=19)
    _error(_conv(client, SLIDE7_INPUT, kernel=SLIDE_KERNEL, include_values=True), 422,
           "values_cap", "spec.include_values", 19)
    assert _conv(client, SLIDE7_INPUT, kernel=SLIDE_KERNEL).status_code == 200  # off: no cap


def test_pipeline_length_limit(client: TestClient) -> None:
    n = get_settings().max_pipeline_layers
    assert n == 16
    layers = [{"type": "relu"}] * n
    r = client.post("/api/pipeline", json={"input": SLIDE7_INPUT, "spec": {"layers": layers}})
    assert r.status_code == 200 and len(r.json()["stages"]) == n + 1
    r = client.post("/api/pipeline",
                    json={"input": SLIDE7_INPUT, "spec": {"layers": layers + [{"type": "relu"}]}})
    _error(r, 422, "too_many_items", "spec.layers", n)


def test_output_list_limit(client: TestClient, override: Callable) -> None:
    override(max_output_list=4)
    assert _conv(client, SLIDE7_INPUT, kernel=SLIDE_KERNEL).json()["output"] is not None
    body = _conv(client, SLIDE7_INPUT, kernel=SLIDE_KERNEL, pad=1).json()  # 16 values
    assert body["output"] is None and "max_output_list" in body["output_omitted"]


def test_static_field_limits(client: TestClient) -> None:
    assert _conv(client, SLIDE7_INPUT, kernel=[[1]], stride=64).status_code == 200
    _error(_conv(client, SLIDE7_INPUT, kernel=[[1]], stride=65), 422, "out_of_range",
           "spec.stride", 64)
    _error(_conv(client, SLIDE7_INPUT, kernel=[[1]], pad=[1, 65]), 422, "out_of_range",
           "spec.pad.1", 64)
    _error(_conv(client, SLIDE7_INPUT, kernel=[[1]], pool={"type": "median"}), 422,
           "not_allowed", "spec.pool.type")
    _error(_conv(client, [[1e7]], kernel=[[1]]), 422, "out_of_range", "input")
    # past float32's range (it would overflow to inf): the same answer, and no RuntimeWarning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _error(_conv(client, [[1e300]], kernel=[[1]]), 422, "out_of_range", "input")
        _error(_conv(client, SLIDE7_INPUT, kernel=[[-1e39]]), 422, "out_of_range", "spec.kernel")


def test_pipeline_length_setting_is_enforced(client: TestClient, override: Callable) -> None:
    override(max_pipeline_layers=3)
    body = {"input": SLIDE7_INPUT, "spec": {"layers": [{"type": "relu"}] * 3}}
    assert client.post("/api/pipeline", json=body).status_code == 200
    body["spec"]["layers"] = [{"type": "relu"}] * 4  # type: ignore[index]
    _error(client.post("/api/pipeline", json=body), 422, "too_many_items", "spec.layers", 3)


@pytest.mark.parametrize("multipart", [False, True])
def test_pipeline_length_setting_can_be_raised(client: TestClient, override: Callable,
                                               multipart: bool) -> None:
    """max_pipeline_layers above the default 16 is honoured (the schema hard-coded 16 before)."""
    override(max_pipeline_layers=20)

    def post(n: int):
        spec = {"layers": [{"type": "relu"}] * n}
        if multipart:
            return client.post("/api/pipeline", data={"spec": json.dumps(spec)},
                               files={"image": ("a.png", image_bytes(gradient(4, 4)), "image/png")})
        return client.post("/api/pipeline", json={"input": SLIDE7_INPUT, "spec": spec})

    r = post(20)
    assert r.status_code == 200, r.text
    assert [s["label"] for s in r.json()["stages"]][-1] == "relu20"
    _error(post(21), 422, "too_many_items", "spec.layers", 20)


def test_create_app_takes_its_settings() -> None:
    """create_app(settings): the routes and limits see these settings, not the environment's."""
    from app.main import create_app

    settings = get_settings().model_copy(update={"max_pipeline_layers": 2, "max_kernel_side": 3})
    with TestClient(create_app(settings)) as c:
        body = {"input": SLIDE7_INPUT, "spec": {"layers": [{"type": "relu"}] * 2}}
        assert c.post("/api/pipeline", json=body).status_code == 200
        body["spec"]["layers"] = [{"type": "relu"}] * 3  # type: ignore[index]
        _error(c.post("/api/pipeline", json=body), 422, "too_many_items", "spec.layers", 2)
        def conv(side: int):
            spec = {"kernel": [[1] * side] * side}
            return c.post("/api/convolve", json={"input": SLIDE7_INPUT, "spec": spec})

        assert conv(3).status_code == 200
        _error(conv(4), 422, "kernel_too_large", "spec.kernel", 3)


def test_channel_and_dilation_limits(client: TestClient, override: Callable) -> None:
    n = get_settings().max_channels
    assert _conv(client, [[[0.5]]] * n, kernel=[[1]]).status_code == 200
    _error(_conv(client, [[[0.5]]] * (n + 1), kernel=[[1]]), 422, "too_many_channels", "input", n)
    x = [[1.0] * 40] * 40
    assert _conv(client, x, kernel=SLIDE_KERNEL, dilation=16).status_code == 200
    _error(_conv(client, x, kernel=SLIDE_KERNEL, dilation=17), 422, "out_of_range",
           "spec.dilation", 16)
    assert _conv(client, SLIDE7_INPUT, kernel=[[1]], pad=64).status_code == 200
    _error(_conv(client, SLIDE7_INPUT, kernel=[[1]], pad=65), 422, "out_of_range", "spec.pad", 64)


def test_kernel_value_limit(client: TestClient, override: Callable) -> None:
    """FN·C·FH·FW of a list kernel ≤ max_kernel_values (checked once parsed); a 5×11 kernel."""
    x = [[1.0] * 11] * 5
    override(max_kernel_values=55)
    r = _conv(client, x, kernel=[[1.0] * 11] * 5)
    assert r.status_code == 200 and r.json()["output"] == [[[[55.0]]]]
    override(max_kernel_values=54)
    err = _error(_conv(client, x, kernel=[[1.0] * 11] * 5), 422, "kernel_too_large",
                 "spec.kernel", 54)
    assert "55 values" in err["message"]
    layers = [{"type": "conv", "kernel": [[1.0] * 11] * 5}]
    _error(client.post("/api/pipeline", json={"input": x, "spec": {"layers": layers}}), 422,
           "kernel_too_large", "spec.layers.0.kernel", 54)
    override(max_kernel_values=1)  # catalogue and learned kernels are not what a body carries
    assert _conv(client, x, kernel="sobel-x").status_code == 200


def test_kernel_value_limit_default_is_a_full_16x16_bank() -> None:
    settings = get_settings()
    assert settings.max_kernel_values == 1_048_576 == 64 * 64 * 16 * 16
    check_kernel_values(np.zeros((64, 64, 16, 16), np.float32), settings, "spec.kernel")
    with pytest.raises(ApiError) as e:
        check_kernel_values(np.zeros((1, 1, 1, 1_048_577), np.float32), settings, "spec.kernel")
    assert (e.value.code, e.value.field, e.value.limit) == ("kernel_too_large", "spec.kernel",
                                                          1_048_576)
