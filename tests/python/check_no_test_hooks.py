#!/usr/bin/env python3
"""Checks that the module users get has no test hooks (issue 11: nothing for tests ships).

    python tests/python/check_no_test_hooks.py [--profile dev]

Builds the wheel as `pip install .` does (maturin, the pyproject's settings, no cargo
features: the suites' `test-hooks` feature is off), imports its ``commbox._commbox`` and
fails if any attribute is a test hook (``_panic_for_tests``, or any name with "test").
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser(description="Checks the default build has no test hooks.")
    parser.add_argument("--profile", default="release", help="cargo profile (default: release)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "wheel"
        subprocess.run(
            [sys.executable, "-m", "maturin", "build", "--quiet", "--profile", args.profile,
             "--interpreter", sys.executable, "--out", str(out)],
            cwd=REPO,
            check=True,
        )
        wheels = list(out.glob("commbox-*.whl"))
        if len(wheels) != 1:
            print(f"check_no_test_hooks: expected one wheel, found {wheels}", file=sys.stderr)
            return 1
        site = Path(tmp) / "site"
        with zipfile.ZipFile(wheels[0]) as wheel:
            wheel.extractall(site)
        # In a fresh interpreter whose first path entry is the wheel, not the suites' venv copy.
        probe = (
            "import sys; sys.path.insert(0, sys.argv[1]); import commbox._commbox as m; "
            "assert m.__file__.startswith(sys.argv[1]), m.__file__; "
            "print('\\n'.join(n for n in dir(m) if 'test' in n.lower()))"
        )
        found = subprocess.run(
            [sys.executable, "-c", probe, str(site)], check=True, capture_output=True, text=True
        ).stdout.split()
    if found:
        print(f"check_no_test_hooks: the default build has test hooks: {found}", file=sys.stderr)
        return 1
    print("check_no_test_hooks: the default build of commbox._commbox has no test hooks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
