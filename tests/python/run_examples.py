#!/usr/bin/env python3
"""Runs each examples/python script against a fresh mock server.

    python tests/python/run_examples.py                  # every example, as a test
    python tests/python/run_examples.py --show send_email  # one, printing what it prints

An example passes when it exits 0, the mock answered every request it sent with 200, and
it stored at least one conversation (CommBox's, or Chatwoot's in the seeded inbox that
CHATWOOT_BASE_URL and CHATWOOT_INBOX_IDENTIFIER point at). Ends with an `N passed, N failed`
line.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import List

from mock_server import CHATWOOT_INBOX, REPO, MockServer

EXAMPLES = REPO / "examples" / "python"
KEY = "example-key"
# Receivers, which serve until stopped: tests/python/test_webhooks.py runs them and posts to them.
RECEIVERS = {"webhook_http_server", "webhook_flask"}


def run(script: Path, show: bool) -> bool:
    with MockServer(api_key=KEY) as mock:
        if show:
            print(f"== mock CommBox API at {mock.url}", flush=True)
        env = dict(
            os.environ,
            COMMBOX_API_KEY=KEY,
            COMMBOX_BASE_URL=mock.url,
            CHATWOOT_BASE_URL=mock.url,
            CHATWOOT_INBOX_IDENTIFIER=CHATWOOT_INBOX,
        )
        env.pop("COMMBOX_STREAM", None)
        env.pop("CHATWOOT_HMAC_TOKEN", None)
        try:
            done = subprocess.run(
                [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120
            )
        except subprocess.TimeoutExpired:
            print(f"FAIL {script.name}: still running after 120 s")
            return False
        if show:
            print(done.stdout, end="")
        problems: List[str] = []
        if done.returncode != 0:
            problems.append(f"exit status {done.returncode}")
        statuses = [r["status"] for r in mock.requests()]
        if not statuses or any(s != 200 for s in statuses):
            problems.append(f"mock answered {statuses}")
        if not mock.objects() and not mock.chatwoot()["conversations"]:
            problems.append("no conversation stored")
    if problems:
        print(f"FAIL {script.name}: {', '.join(problems)}")
        print(done.stdout + done.stderr)
        return False
    if not show:
        print(f"ok   {script.name}")
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show", action="store_true", help="print the examples' output")
    parser.add_argument("names", nargs="*", help="examples to run (default: all)")
    args = parser.parse_args()
    scripts = sorted(p for p in EXAMPLES.glob("*.py") if p.stem not in RECEIVERS)
    if args.names:
        scripts = [EXAMPLES / f"{name.removesuffix('.py')}.py" for name in args.names]
    results = [run(script, args.show) for script in scripts]
    passed = sum(results)
    if not args.show:
        print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) and results else 1


if __name__ == "__main__":
    sys.exit(main())
