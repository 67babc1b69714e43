"""Imported ONNX model: the 64×64 RGB VGG-style fixture (tests/onnx_import/fixtures.py) forward
with every stage through the API (uvicorn on loopback, JSON input, previews on; target ≤ 150 ms),
and the engine alone against onnxruntime, both on one thread."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import httpx
import numpy as np

from .api import _free_port, cpu_per_call, process_cpu_s, start_server
from .common import ms, pin_threads, round_robin, verdict

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 0.150
MIN_ROUNDS = 20  # medians of at least 20 calls each


def main() -> None:
    print(pin_threads())
    sys.path.insert(0, str(ROOT))
    from app.models.onnx_import import import_onnx
    from tests.onnx_import.fixtures import vgg64

    data = vgg64().SerializeToString()
    model = import_onnx(data).model
    x = np.random.default_rng(0).random((3, 64, 64), dtype=np.float32)
    try:
        import onnxruntime as ort
    except ImportError:
        ort = None
    fns = {"engine": lambda: model.forward_stages(x[None])}
    if ort is not None:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = opts.inter_op_num_threads = 1
        sess = ort.InferenceSession(data, opts, providers=["CPUExecutionProvider"])
        fns["onnxruntime"] = lambda: sess.run(None, {"x": x[None]})
    t = round_robin(fns, min_rounds=MIN_ROUNDS)
    line = f"vgg64 forward, every stage (median of ≥{MIN_ROUNDS}): engine {ms(t['engine'])}"
    if "onnxruntime" in t:
        line += (f", onnxruntime {ms(t['onnxruntime'])} (1 thread) → "
                 f"{t['engine'] / t['onnxruntime']:.1f}× onnxruntime")
    print(line)
    with tempfile.TemporaryDirectory() as d:
        os.environ["CONVSCOPE_DATA_DIR"] = d
        port = _free_port()
        proc = start_server(port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
                mid = c.post("/api/models", files={"file": ("v.onnx", data)}).json()["id"]
                body = {"input": x.tolist(), "previews": True}

                def call() -> None:
                    c.post(f"/api/models/{mid}/predict", json=body,
                           headers={"accept-encoding": "identity"}).raise_for_status()

                api = round_robin({"api": call}, min_rounds=MIN_ROUNDS)
                server_cpu = cpu_per_call(call, lambda: process_cpu_s(proc.pid), n=MIN_ROUNDS)
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"vgg64 predict through the API (JSON in, every stage with previews out, median of "
          f"≥{MIN_ROUNDS}): "
          f"{ms(api['api:wall'])} wall, target {ms(TARGET_S)}: "
          f"{verdict(api['api:wall'], TARGET_S)}; server CPU per call {ms(server_cpu)} "
          f"(the wall time includes waiting for a shared CPU)")


if __name__ == "__main__":
    main()
