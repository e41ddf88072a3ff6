"""Smoke checks of an installed `commbox` package, run by each interpreter the wheel supports.

Run from outside the source tree, against a mock (tests/with-mock.sh exports
COMMBOX_BASE_URL and COMMBOX_API_KEY):

    python tests/packaging/python_smoke.py [--expect-version 0.1.0] [--expect-prefix DIR]

Prints one `ok NAME` or `FAIL NAME: why` line per check and exits 1 if any failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from typing import Callable, List, Tuple

STREAM = "hNyRN_fLUy7rrOrN9jLpipA=="


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--expect-version", default=None)
    parser.add_argument("--expect-prefix", default=None, help="the package must be imported from here")
    args = parser.parse_args()
    base_url = os.environ["COMMBOX_BASE_URL"]
    key = os.environ["COMMBOX_API_KEY"]
    checks: List[Tuple[str, Callable[[], None]]] = []

    def check(name: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
        def register(fn: Callable[[], None]) -> Callable[[], None]:
            checks.append((name, fn))
            return fn

        return register

    @check("import")
    def _import() -> None:
        import commbox

        where = os.path.realpath(commbox.__file__)
        if args.expect_prefix and not where.startswith(os.path.realpath(args.expect_prefix) + os.sep):
            raise AssertionError(f"imported from {where}, not from {args.expect_prefix}")
        native = os.path.realpath(commbox._commbox.__file__)  # type: ignore[attr-defined]
        if not native.endswith(".abi3.so"):
            raise AssertionError(f"the native module is not the abi3 one: {native}")
        if args.expect_version and commbox.__version__ != args.expect_version:
            raise AssertionError(f"__version__ {commbox.__version__!r}, expected {args.expect_version!r}")

    @check("create")
    def _create() -> None:
        import commbox

        with commbox.Client(api_key=key, base_url=base_url) as client:
            conversation = client.create_sms_conversation(STREAM, "+972544444444", "smoke")
            if not isinstance(conversation, int) or conversation <= 0:
                raise AssertionError(f"conversation id {conversation!r}")

    @check("error kind: AuthenticationError")
    def _auth_error() -> None:
        import commbox

        with commbox.Client(api_key="not-" + key, base_url=base_url) as client:
            try:
                client.create_sms_conversation(STREAM, "+972544444444", "smoke")
            except commbox.AuthenticationError as e:
                if e.status != 401 or not e.request_id:
                    raise AssertionError(f"status {e.status!r}, request id {e.request_id!r}") from None
                return
        raise AssertionError("no AuthenticationError for a wrong key")

    failed = 0
    for name, fn in checks:
        try:
            fn()
            print(f"ok {name}")
        except Exception as e:  # noqa: BLE001  (each check reports and the next one runs)
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}")
            traceback.print_exc(file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
