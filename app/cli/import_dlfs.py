"""`convscope import-dlfs`: the book's SimpleConvNet params.pkl → ConvScope .npz + model card."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "import-dlfs", help="convert the book's SimpleConvNet params.pkl into a ConvScope model",
        description="Read a pickle of {W1, b1, W2, b2, W3, b3} (Deep Learning from Scratch, "
        "ch07 params.pkl) with a restricted unpickler (numpy arrays only) and write PATH.npz and "
        "PATH.json. Put them in the folder named by CONVSCOPE_MODELS_DIR to serve the model.")
    p.add_argument("pickle", help="path of params.pkl")
    p.add_argument("--out", required=True, help="weights path, e.g. my-models/dlfs.npz")
    p.add_argument("--name", default="SimpleConvNet (imported from the book's params.pkl)")
    p.add_argument("--data", help="optional folder with an IDX pair: measure accuracy on it")
    p.add_argument("--prefix", help="which IDX pair in --data when there are several")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.models.card import ModelWriteError, model_paths, write_model
    from app.models.dlfs_import import (
        DlfsImportError,
        UnsafePickleError,
        load_dlfs_params,
        network_from_dlfs,
    )


    try:
        params = load_dlfs_params(args.pickle)
    except (DlfsImportError, UnsafePickleError) as e:
        print(f"convscope import-dlfs: {e}", file=sys.stderr)
        return 2
    model_id, npz, card_path, _ = model_paths(args.out)
    net = network_from_dlfs(params, model_id, args.name)
    card: dict[str, object] = {"source": f"imported from {args.pickle} (convscope import-dlfs)",
                               "data": None, "split": None, "seed": None, "epochs": None,
                               "validation_accuracy": None, "test_accuracy": None,
                               "training_time_s": None}
    if args.data:
        from app.engine.data import IdxError, find_idx_pair, load_idx, to_float

        try:
            img, lab = find_idx_pair(args.data, args.prefix)
            x, t = load_idx(img, lab)
        except IdxError as e:
            print(f"convscope import-dlfs: {e}", file=sys.stderr)
            return 2
        acc = net.accuracy(to_float(x), t)
        card["data"] = {"file": img.name, "labels": lab.name, "examples": len(x)}
        card["evaluation_accuracy"] = acc
        print(f"accuracy on {img.name} ({len(x)} examples): {acc:.4f}")
    try:
        write_model(net, npz, card)
    except ModelWriteError as e:
        print(f"convscope import-dlfs: {e.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {npz} and {card_path} (model id {model_id!r}); serve it by putting both in "
          f"the folder named by CONVSCOPE_MODELS_DIR")
    return 0
