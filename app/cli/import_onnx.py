"""`convscope import-onnx` (a teacher's permanent model) and `convscope export-onnx`."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "import-onnx", help="check an ONNX CNN and put it in a models folder (never expires)",
        description="Parse, map onto the NumPy engine and prove an .onnx file equal to the ONNX "
        "reference on every layer, then write DIR/NAME.onnx and DIR/NAME.json. With "
        "CONVSCOPE_MODELS_DIR=DIR the server offers it as onnx-NAME.")
    p.add_argument("onnx", help="path of the .onnx file")
    p.add_argument("--out", required=True, help="models folder (CONVSCOPE_MODELS_DIR)")
    p.add_argument("--name", help="id without the onnx- prefix (default: the file stem)")
    p.add_argument("--labels", help="a text file with one class label per line")
    p.add_argument("--normalisation", default="0-1",
                   help="0-1, 0-255, mnist or mean=a,b,c;std=d,e,f (how images are prepared)")
    p.set_defaults(func=run_import)
    e = sub.add_parser(
        "export-onnx", help="write a ConvScope model (shipped, trained, imported) as ONNX",
        description="MODEL is a shipped model id (simple-convnet) or a .npz path.")
    e.add_argument("model", help="model id or .npz file")
    e.add_argument("--out", required=True, help="the .onnx file to write")
    e.set_defaults(func=run_export)


def run_import(args: argparse.Namespace) -> int:
    from app.config import get_settings
    from app.errors import ApiError
    from app.models.onnx_import import OnnxLimits
    from app.models.onnx_repo import make_record

    src = Path(args.onnx)
    name = args.name or src.stem
    if not NAME_RE.match(name):
        print(f"convscope import-onnx: --name {name!r}: use letters, digits, - and _",
              file=sys.stderr)
        return 2
    try:
        data = src.read_bytes()
        labels = Path(args.labels).read_text(encoding="utf-8") if args.labels else None
        record, model = make_record(data, OnnxLimits.from_settings(get_settings()), name=name,
                                    labels=labels, normalisation=args.normalisation)
    except ApiError as e:
        print(f"convscope import-onnx: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"convscope import-onnx: {e}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.onnx").write_bytes(data)
    del record["sha256"]  # a file, not a store entry
    (out / f"{name}.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    print(f"onnx-{name}: {len(model.steps)} layers, {model.param_count()} parameters, "
          f"{record['badge']}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from app.engine.network import Network, NetworkError
    from app.models.onnx_export import network_onnx_bytes
    from app.models.store import SHIPPED_DIR

    path = Path(args.model)
    if not path.suffix:
        path = SHIPPED_DIR / f"{args.model}.npz"
    try:
        net = Network.load(path)
    except (NetworkError, OSError, ValueError) as e:
        print(f"convscope export-onnx: cannot read {path}: {e}", file=sys.stderr)
        return 2
    Path(args.out).write_bytes(network_onnx_bytes(net))
    print(f"wrote {args.out} ({len(net.specs)} layers)")
    return 0
