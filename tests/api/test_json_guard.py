"""JSON bodies: the raw-byte pre-check (depth, value count) and the lean `input` parse (issue 7)."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.api.json_guard import MAX_JSON_DEPTH, SPEC_SLACK, parse_body, precheck
from app.config import Settings
from app.errors import ApiError
from app.schemas import ConvolveRequest

LIMIT = 1_048_576  # the default max_input_values: 1024 × 1024


def _post(client: TestClient, body: bytes, url: str = "/api/convolve") -> dict:
    r = client.post(url, content=body, headers={"content-type": "application/json"})
    return {"status": r.status_code, **r.json()}


def _refusal(body: bytes, limit: int = LIMIT) -> ApiError:
    with pytest.raises(ApiError) as e:
        precheck(body, limit)
    return e.value


def test_default_limit_is_1024_squared() -> None:
    assert Settings().max_input_values == LIMIT == 1024 * 1024


def test_input_at_the_limit_is_computed(client: TestClient) -> None:
    body = json.dumps({"input": [[1] * 1024] * 1024, "spec": {"kernel": [[2]]}}).encode()
    r = _post(client, body)
    assert r["status"] == 200 and r["shape"] == [1, 1, 1024, 1024]
    assert r["stages"][-1]["min"] == r["stages"][-1]["max"] == 2.0


def test_input_one_over_the_limit_is_refused_before_parsing(client: TestClient) -> None:
    body = json.dumps({"input": [[0] * 61681] * 17}).encode()  # 17 · 61681 = LIMIT + 1
    err = _post(client, body)
    assert err["status"] == 422
    assert err["error"]["code"] == "input_too_large"
    assert (err["error"]["field"], err["error"]["limit"]) == ("input", LIMIT)
    assert f"{LIMIT + 1:,}" in err["error"]["message"]


@pytest.mark.parametrize("shape", [(3, 5), (2, 3, 5), (2, 2, 3, 5)])
def test_precheck_counts_values_exactly(shape: tuple[int, ...]) -> None:
    n = int(np.prod(shape))
    body = json.dumps({"input": np.zeros(shape).tolist(), "spec": {"bias": 1}}).encode()
    precheck(body, n)  # exactly at the limit: accepted
    err = _refusal(body, n - 1)
    assert (err.status, err.code, err.field, err.limit) == (422, "input_too_large", "input", n - 1)
    assert f"has {n:,} values" in err.message_en


def test_precheck_ignores_separators_outside_input_and_in_strings() -> None:
    spec = {"kernel": np.ones((1, 1, 9, 9)).tolist(), "bias": [0.5],
            "extra": "[[[[,,,,,,,,,,,,,,,,]]]] \"input\": [1,2,3,4,5,6,7,8,9,10]"}
    body = json.dumps({"spec": spec, "input": [[1, 2], [3, 4]]}).encode()
    precheck(body, 4)  # 81 kernel values and the string's commas are not the input's


def test_precheck_checks_every_top_level_input_key() -> None:
    body = b'{"input": [[1, 2]], "spec": {"input": [1, 2, 3, 4, 5, 6]}, "input": [1, 2, 3, 4]}'
    assert _refusal(body, 3).limit == 3  # the second top-level key has 4 values
    precheck(body, 4)  # the nested "input" (6 values) is not the body's input


def test_precheck_refuses_deep_nesting_with_invalid_json() -> None:
    deep = b'{"input": ' + b"[" * MAX_JSON_DEPTH + b"1" + b"]" * MAX_JSON_DEPTH + b"}"
    err = _refusal(deep)
    assert (err.status, err.code, err.limit) == (400, "invalid_json", MAX_JSON_DEPTH)
    ok = b'{"input": ' + b"[" * (MAX_JSON_DEPTH - 1) + b"1" + b"]" * (MAX_JSON_DEPTH - 1) + b"}"
    precheck(ok, LIMIT)  # 32 levels with the body's object: allowed (then 422 on the shape)


def test_precheck_refuses_a_body_of_many_strings() -> None:
    body = json.dumps({"input": [[1]], "spec": {"kernel": ["a"] * 5000}}).encode()
    err = _refusal(body)
    assert (err.status, err.code, err.field, err.limit) == (422, "too_many_items", "body", 4096)
    many_keys = b'{"spec": {"kernel": [' + b'{"input": 1},' * 300 + b'1]}, "input": [[1]]}'
    err = _refusal(many_keys)
    assert (err.code, err.field, err.limit) == ("too_many_items", "input", 256)


def test_a_large_body_that_is_not_an_object_is_not_parsed(client: TestClient) -> None:
    err = _post(client, b"[" + b"0," * 100_000 + b"0]")
    assert err["status"] == 422 and err["error"]["code"] == "invalid"
    assert "object" in err["error"]["message"]


def test_deep_nesting_over_http(client: TestClient) -> None:
    err = _post(client, b'{"input": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    assert err["status"] == 400 and err["error"]["code"] == "invalid_json"


def test_parse_body_gives_an_array_and_the_validated_spec() -> None:
    body = b'{"input": [[1, 2.5], [3, 4]], "spec": {"kernel": "sobel-x", "pad": 1}}'
    spec, x = parse_body(body, ConvolveRequest)
    assert isinstance(x, np.ndarray) and x.shape == (2, 2) and x[0, 1] == 2.5
    assert spec.kernel == "sobel-x" and spec.pad == 1


@pytest.mark.parametrize(("body", "code", "field"), [
    (b'{"input": [[1, 2], [3]], "spec": {"kernel": [[1]]}}', "invalid_array", "input"),
    (b'{"input": [[1, "a"]], "spec": {"kernel": [[1]]}}', "invalid_array", "input"),
    (b'{"input": [[1, null]], "spec": {"kernel": [[1]]}}', "invalid_array", "input"),
    (b'{"input": [[NaN, 1]], "spec": {"kernel": [[1]]}}', "out_of_range", "input"),
    (b'{"input": [[Infinity, 1]], "spec": {"kernel": [[1]]}}', "out_of_range", "input"),
    (b'{"input": [[1e7, 1]], "spec": {"kernel": [[1]]}}', "out_of_range", "input"),
    (b'{"input": [], "spec": {}}', "too_few_items", "input"),
    (b'{"input": 3}', "invalid", "input"),
    (b'{"spec": {}}', "missing", "input"),
    (b'{"input": [[1]], "spec": {"stride": 0}}', "out_of_range", "spec.stride"),
    (b'{"input": [[1]], "spec": {"kernel": [[1]]}, "x": 1}', "unknown_field", "x"),
    (b'[1, 2, 3]', "invalid", None),
])
def test_refusals_keep_their_codes_and_fields(client: TestClient, body: bytes, code: str,
                                              field: str | None) -> None:
    err = _post(client, body)
    assert err["status"] == 422 and (err["error"]["code"], err["error"]["field"]) == (code, field)


def test_invalid_json_is_still_a_400(client: TestClient) -> None:
    err = _post(client, b'{"input": [[1, 2], [3, 4]], "spec": {"kernel": [[1]]}')
    assert err["status"] == 400 and err["error"]["code"] == "invalid_json"
    assert "EOF" in err["error"]["message"]


def test_pipeline_uses_the_same_path(client: TestClient, override: Callable) -> None:
    override(max_input_values=8)
    spec = {"layers": [{"type": "conv", "kernel": [[1]]}, {"type": "relu"}]}
    ok = _post(client, json.dumps({"input": [[-1, 2, 3, 4]] * 2, "spec": spec}).encode(),
               "/api/pipeline")
    assert ok["status"] == 200 and ok["output"] == [[[[0, 2, 3, 4]] * 2]]
    err = _post(client, json.dumps({"input": [[1] * 9], "spec": spec}).encode(), "/api/pipeline")
    assert err["status"] == 422
    assert (err["error"]["code"], err["error"]["limit"]) == ("input_too_large", 8)


def _kernel_body(separators: int) -> bytes:
    """A body whose separators outside `input` number exactly `separators` (one is the comma
    between `input` and `spec`)."""
    return (b'{"input": [[1, 2], [3, 4]], "spec": {"kernel": [' + b"0," * (separators - 1)
            + b'0]}}')


def test_precheck_bounds_the_numbers_of_spec_at_the_limit() -> None:
    bound = LIMIT + SPEC_SLACK
    precheck(_kernel_body(bound), LIMIT, LIMIT)  # at the bound: parsed (then checked exactly)
    with pytest.raises(ApiError) as e:
        precheck(_kernel_body(bound + 1), LIMIT, LIMIT)
    err = e.value
    assert (err.status, err.code, err.field, err.limit) == (422, "kernel_too_large",
                                                             "spec.kernel", LIMIT)
    assert f"{bound + 1:,} numbers" in err.message_en
    precheck(_kernel_body(bound + 1), LIMIT)  # no kernel limit given: not bounded here


def test_precheck_counts_all_kernels_of_a_pipeline_but_not_the_input() -> None:
    x = np.zeros((40, 40)).tolist()
    layer = {"type": "conv", "kernel": np.zeros((8, 1024)).tolist()}  # 8,192 values each
    body = json.dumps({"input": x, "spec": {"layers": [layer, layer]}}).encode()
    outside = body.count(b",") - json.dumps(x).count(",")  # 2·8,191 + 4 between members
    assert outside == 16_386
    limit = outside - SPEC_SLACK  # 8,194: each kernel fits, both together are at the bound
    precheck(body, 1600, limit)
    with pytest.raises(ApiError) as e:
        precheck(body, 1600, limit - 1)
    assert (e.value.code, e.value.limit) == ("kernel_too_large", limit - 1)


def test_a_hostile_kernel_is_refused_before_parsing(client: TestClient) -> None:
    body = b'{"input": [[1]], "spec": {"kernel": [' + b"0," * 3_999_999 + b'0]}}'
    err = _post(client, body)
    assert err["status"] == 422
    assert (err["error"]["code"], err["error"]["field"], err["error"]["limit"]) == (
        "kernel_too_large", "spec.kernel", LIMIT)


# JSON booleans are not numbers (true/false in input or kernels are refused, not read as 1/0)

def _bool_error(r: object) -> tuple[int, str, str]:
    body = r.json()["error"]  # type: ignore[attr-defined]
    return r.status_code, body["code"], body["field"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("x", [[[True, 2], [1, 1]], [[1.5, False], [1, 1]], [[[[1, 2], [3, True]]]],
                               [[True]]])
def test_boolean_input_entries_are_refused(client: TestClient, x: list) -> None:
    r = client.post("/api/convolve", json={"input": x, "spec": {"kernel": [[1]]}})
    assert _bool_error(r) == (422, "invalid_array", "input")


@pytest.mark.parametrize("k", [[[True, 0.5]], [[True]], [[[[1, False]]]], [[1, 2], [0, True]]])
def test_boolean_kernel_entries_are_refused(client: TestClient, k: list) -> None:
    x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    r = client.post("/api/convolve", json={"input": x, "spec": {"kernel": k}})
    assert _bool_error(r) == (422, "invalid_array", "spec.kernel")


def test_boolean_kernel_in_a_pipeline_is_refused(client: TestClient) -> None:
    layers = [{"type": "conv", "kernel": [[1, True]]}]
    r = client.post("/api/pipeline", json={"input": [[1, 2], [3, 4]], "spec": {"layers": layers}})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_array"
    assert r.json()["error"]["field"].endswith("kernel")


def test_true_elsewhere_in_the_body_does_not_refuse_numbers(client: TestClient) -> None:
    x = [[0, 1, 2], [3, 4, 5]]
    r = client.post("/api/convolve", json={"input": x, "spec": {"kernel": [[1]],
                                                                 "depthwise": True}})
    assert r.status_code == 200, r.text
    assert r.json()["output"] == [[[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]]]


def test_bool_detection_on_lists_and_raw_bytes() -> None:
    from app.api.json_guard import _may_hold_bool_items, contains_bool
    assert contains_bool([[1, 2], [3, True]]) and contains_bool([[[False]]])
    assert not contains_bool([[1, 2.5], [3, 4]]) and not contains_bool([])
    assert _may_hold_bool_items(b'{"input": [[1, 2], [3,\n true]]}')
    assert _may_hold_bool_items(b'{"input": [false]}')
    assert not _may_hold_bool_items(b'{"input": [[1]], "spec": {"depthwise": true, "k": "true"}}')
