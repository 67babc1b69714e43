"""`make fuzz`: schemathesis against the live production server (gunicorn, loopback only).

Every operation of /openapi.json, positive and negative data (examples, coverage and fuzzing
phases; loadtest/schemathesis_cli.py works around a crash inside the tool). Checks: no server
error, response bodies match their schema, documented status codes and content types. Prints
the number of generated test cases; exit status 1 on any failure or when fewer than --min-cases ran.
  python -m loadtest.fuzz [--examples 100] [--seed 20261128] [--min-cases 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from loadtest.server import ROOT, gunicorn

CHECKS = ("not_a_server_error,response_schema_conformance,status_code_conformance,"
          "content_type_conformance")


def count_cases(ndjson: Path) -> tuple[int, dict[str, int]]:
    """Test cases run in total and per operation, from schemathesis' NDJSON event report."""
    per_op: dict[str, int] = {}
    for line in ndjson.read_text().splitlines():
        event = json.loads(line)
        for key, value in event.items():
            if key == "ScenarioFinished" and isinstance(value, dict):
                label = value.get("label") or value.get("recorder", {}).get("label") or "?"
                cases = value.get("recorder", {}).get("cases", {})
                per_op[label] = per_op.get(label, 0) + len(cases)
    return sum(per_op.values()), per_op


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--examples", type=int, default=int(os.environ.get("FUZZ_EXAMPLES", 100)))
    p.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", 20261128)))
    p.add_argument("--min-cases", type=int, default=int(os.environ.get("FUZZ_MIN_CASES", 1000)))
    p.add_argument("--max-time", type=int, default=int(os.environ.get("FUZZ_MAX_TIME", 0)),
                   help="seconds; fuzzing repeats until spent (0: stop after --examples)")
    args = p.parse_args()
    out = ROOT / "artifacts" / "fuzz"
    out.mkdir(parents=True, exist_ok=True)
    ndjson = out / "events.ndjson"
    with gunicorn(out / "gunicorn.log") as server:
        cmd = [sys.executable, "-m", "loadtest.schemathesis_cli", "run",
               server.url + "/openapi.json",
               "--checks", CHECKS, "--max-examples", str(args.examples), "--seed", str(args.seed),
               "--workers", "2", "--phases", "examples,coverage,fuzzing", "--request-timeout", "60",
               "--suppress-health-check", "all", "--generation-database", "none",
               "--report", "ndjson", "--report-ndjson-path", str(ndjson)]
        cmd += ["--max-time", str(args.max_time)] if args.max_time else []
        print("fuzz:", " ".join(cmd[2:]), flush=True)
        code = subprocess.call(cmd, cwd=ROOT, env={**os.environ, "NO_COLOR": "1"})
    total, per_op = count_cases(ndjson) if ndjson.exists() else (0, {})
    for label, n in sorted(per_op.items()):
        print(f"fuzz: {n:6d} cases  {label}")
    print(f"fuzz: {total} generated test cases over {len(per_op)} operations "
          f"(seed {args.seed}); schemathesis exit status {code}")
    if total < args.min_cases:
        print(f"fuzz: fewer than {args.min_cases} cases ran")
        return 1
    return code


if __name__ == "__main__":
    raise SystemExit(main())
