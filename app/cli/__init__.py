"""`convscope` command line: one subcommand per module (serve, apply, train, import-dlfs)."""

from __future__ import annotations

import argparse
import importlib
import sys

# Each module defines register(subparsers) which adds its subparser and sets `func`.
SUBCOMMANDS = ("serve", "apply", "train", "import_dlfs", "import_onnx")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convscope",
        description="ConvScope: a visual explorer of convolutional neural networks",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"app.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
