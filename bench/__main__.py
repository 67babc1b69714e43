"""`python -m bench`: the engine benchmark, then bench.api and bench.train when they exist."""

from __future__ import annotations

import importlib
import importlib.util

from .common import reexec_without_coretype

OPTIONAL = ("bench.api", "bench.train", "bench.explain", "bench.onnx_import")


def main() -> None:
    """Run bench.engine, then each optional benchmark module's main()."""
    reexec_without_coretype()
    from . import engine

    print("== engine ==", flush=True)
    engine.main()
    for name in OPTIONAL:
        if importlib.util.find_spec(name) is None:
            continue
        print(f"== {name.split('.')[-1]} ==", flush=True)
        importlib.import_module(name).main()


if __name__ == "__main__":
    main()
