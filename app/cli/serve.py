"""`convscope serve`: run the web app with uvicorn."""

from __future__ import annotations

import argparse
import os


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="start the ConvScope web server")
    p.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"),
                   help="address to listen on (default: $HOST or 127.0.0.1; 0.0.0.0 for a class)")
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")),
                   help="port (default: $PORT or 8000)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default: 1)")
    p.add_argument("--reload", action="store_true", help="restart on code changes (development)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    print(f"ConvScope on http://{args.host}:{args.port}/  (Ctrl+C to stop)", flush=True)
    uvicorn.run("app.main:app", host=args.host, port=args.port, workers=args.workers,
                reload=args.reload, log_level="info")
    return 0
