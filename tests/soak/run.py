"""`make soak`: runs each face's soak program against a fresh mock in chaos mode, then checks
the calls it reports against the mock's records (tests/soak/accounting.py) and prints a table.

    python3 tests/soak/run.py --face c --c-binary build/soak/soak_c
    python3 tests/soak/run.py --face python --python .venv/bin/python

Exits 1 if any check fails for any face. Each face's raw output stays in build/soak/<face>/
(calls-*.tsv, samples.tsv, summary.json).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Dict, List

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "python"))

import accounting  # noqa: E402
from mock_server import CHATWOOT_INBOX, MockServer  # noqa: E402


def run_face(face: str, command: List[str], args: argparse.Namespace) -> accounting.Summary:
    out = REPO / "build" / "soak" / face
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with MockServer() as mock:
        mock.chaos(args.rate, seed=args.seed, retry_after=args.retry_after, delay_ms=args.delay_ms)
        env = dict(
            os.environ,
            COMMBOX_BASE_URL=mock.url,
            COMMBOX_API_KEY=mock.api_key,
            CHATWOOT_BASE_URL=mock.url,
            CHATWOOT_INBOX_IDENTIFIER=CHATWOOT_INBOX,
            SOAK_OUT=str(out),
            SOAK_THREADS=str(args.threads),
            SOAK_CALLS=str(args.calls),
            SOAK_WARMUP=str(args.warmup),
            SOAK_SAMPLE_MS=str(args.sample_ms),
        )
        print(f"== {face}: {args.threads} threads x ({args.warmup} warm-up + {args.calls}) calls, "
              f"{args.rate:.0%} faults (seed {args.seed})", flush=True)
        started = time.monotonic()
        result = subprocess.run(command, env=env)
        if result.returncode != 0:
            raise SystemExit(f"{face}: the soak program exited with status {result.returncode}")
        print(f"   ran in {time.monotonic() - started:.0f} s; fetching the mock's records", flush=True)
        seen = {
            "chaos": mock.stop_chaos(),
            "requests": mock.requests(timeout=600),
            "objects": mock.objects(timeout=600),
            "inbox": mock.chatwoot(),
        }
    if args.save_mock:
        (out / "mock.json").write_text(json.dumps(seen))
    return check_face(face, out, seen)


def check_face(face: str, out: Path, seen: Dict[str, Any]) -> accounting.Summary:
    summary = accounting.check(
        face,
        accounting.load_calls(str(out)),
        seen["requests"],
        seen["objects"],
        seen["inbox"],
        seen["chaos"],
        accounting.load_samples(str(out)),
    )
    (out / "summary.json").write_text(json.dumps(asdict(summary), indent=2) + "\n")
    return summary


def recheck(face: str) -> accounting.Summary:
    """The accounting again, on a run saved with --save-mock (after editing its files, say)."""
    out = REPO / "build" / "soak" / face
    return check_face(face, out, json.loads((out / "mock.json").read_text()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--face", choices=["c", "python", "all"], default="all")
    parser.add_argument("--c-binary", default=str(REPO / "build" / "soak" / "soak_c"))
    parser.add_argument("--python", default=str(REPO / ".venv" / "bin" / "python"))
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--calls", type=int, default=10000, help="measured calls per thread")
    parser.add_argument("--warmup", type=int, default=200, help="calls per thread before the first sample")
    parser.add_argument("--rate", type=float, default=0.05, help="share of requests faulted")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--retry-after", default="1", help="Retry-After of the *_retry_after faults")
    parser.add_argument("--delay-ms", type=int, default=20, help="length of the delay faults")
    parser.add_argument("--sample-ms", type=int, default=1000, help="resource sampling period")
    parser.add_argument("--save-mock", action="store_true", help="keep the mock's records in build/soak/<face>/mock.json")
    parser.add_argument("--recheck", action="store_true", help="only check a run saved with --save-mock again")
    args = parser.parse_args()

    faces = ["c", "python"] if args.face == "all" else [args.face]
    commands = {"c": [args.c_binary], "python": [args.python, str(HERE / "soak.py")]}
    if args.recheck:
        summaries = [recheck(face) for face in faces]
    else:
        summaries = [run_face(face, commands[face], args) for face in faces]

    print()
    print(accounting.table(summaries))
    failed = False
    for s in summaries:
        print(f"{s.face}: {s.requests} requests; faults by kind {dict(sorted(s.injected_by_kind.items()))}; "
              f"failures by kind {dict(sorted(s.failures_by_kind.items()))}; "
              f"{s.stored_once} of {s.creates_ok} successful creates stored exactly once")
        for problem in s.problems:
            print(f"   PROBLEM {problem}")
        for sort, count in s.problem_counts.items():
            if count > 5:
                print(f"   ... {count} problems of the sort '{sort}' in all")
        failed = failed or bool(s.problems)
    print("soak: FAILED" if failed else "soak: every check passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
