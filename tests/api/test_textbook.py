"""The four worked examples of the slides, through JSON, give exactly the seed's numbers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.helpers import SLIDE7_INPUT, SLIDE_KERNEL


def _convolve(client: TestClient, input_: list, **spec: object) -> dict:
    r = client.post("/api/convolve", json={"input": input_, "spec": spec})
    assert r.status_code == 200, r.text
    return r.json()


def test_slide7_no_padding_then_bias(client: TestClient) -> None:
    body = _convolve(client, SLIDE7_INPUT, kernel=SLIDE_KERNEL)
    assert body["output"] == [[[[15, 16], [6, 15]]]]
    assert body["shape"] == [1, 1, 2, 2]
    body = _convolve(client, SLIDE7_INPUT, kernel=SLIDE_KERNEL, bias=3)
    assert body["output"] == [[[[18, 19], [9, 18]]]]
    assert body["bias"] == [3]
    assert body["kernel"] == {"source": "custom", "values": SLIDE_KERNEL, "FN": 1, "C": 1,
                              "FH": 3, "FW": 3, "depthwise": False}


def test_slide8_padding_keeps_the_size(client: TestClient) -> None:
    body = _convolve(client, SLIDE7_INPUT, kernel=SLIDE_KERNEL, pad=1)
    assert body["output"] == [[[[7, 12, 10, 2], [4, 15, 16, 10], [10, 6, 15, 6], [8, 10, 4, 3]]]]
    g = body["geometry"]
    assert (g["out_h"], g["out_w"], g["pad"], g["exact"]) == (4, 4, [1, 1], True)


def test_slide9_stride_2_and_slide10_formula(client: TestClient) -> None:
    seq = [1, 2, 3, 0]
    x = [[seq[(r * 3 + c) % 4] for c in range(7)] for r in range(7)]
    assert x[0] == [1, 2, 3, 0, 1, 2, 3] and x[1] == [0, 1, 2, 3, 0, 1, 2]
    body = _convolve(client, x, kernel=SLIDE_KERNEL, stride=2)
    assert body["output"] == [[[[15, 17, 15], [17, 15, 17], [15, 17, 15]]]]
    g = body["geometry"]
    assert g["out_h"] == 3 and g["exact"] is True
    assert g["formula_h"] == "OH = (H + 2P − FH) / S + 1 = (7 + 2·0 − 3) / 2 + 1 = 3"


def test_slide15_max_pooling(client: TestClient) -> None:
    x = [[1, 2, 1, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 4, 0, 1]]
    body = _convolve(client, x, kernel=[[1]], pool={"type": "max", "size": 2, "stride": 2})
    assert body["output"] == [[[[2, 3], [4, 2]]]]
    assert [s["name"] for s in body["stages"]] == ["input", "conv", "pool"]
    assert body["pool_geometry"]["out_h"] == 2
    assert body["pixel_scale"] is None


def test_stage_statistics_and_values(client: TestClient) -> None:
    import base64

    import numpy as np

    body = _convolve(client, SLIDE7_INPUT, kernel=SLIDE_KERNEL, bias=-16, activation="relu",
                     include_values=True)
    conv, relu = body["stages"][1], body["stages"][2]
    assert (conv["min"], conv["max"], conv["mean"]) == (-10, 0, -3)
    assert relu["max"] == 0 and relu["min"] == 0
    values = np.frombuffer(base64.b64decode(conv["values_b64"]), dtype="<f4")
    assert values.tolist() == [-1, 0, -10, -1]
    assert body["stages"][0]["values_b64"] is not None
