"""The CommBox mock binary (crates/commbox-mock) as a Python object, for the tests and the
example runner: start it on a free port, inspect what it received and stored, inject faults.
It also serves the Chatwoot public client API, with seeded inboxes (the constants below).
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any, Dict, List, Optional, Type

REPO = Path(__file__).resolve().parents[2]
DEFAULT_KEY = "mock-api-key"
"""The key the mock accepts unless told otherwise."""
STREAM = "hNyRN_fLUy7rrOrN9jLpipA=="
"""A stream id in CommBox's encrypted form (its `==` goes out as `%3D%3D`)."""
CHATWOOT_INBOX = "mock-inbox"
"""The seeded Chatwoot inbox without identity validation."""
CHATWOOT_HMAC_INBOX = "hmac-inbox"
"""The seeded Chatwoot inbox with identity validation mandatory."""
CHATWOOT_HMAC_TOKEN = "mock-hmac-token"
"""The HMAC token of every seeded Chatwoot inbox."""
CHATWOOT_SINGLE_INBOX = "single-inbox"
"""The seeded Chatwoot inbox locked to a single conversation per contact."""


def mock_binary() -> Path:
    """``$COMMBOX_MOCK_BIN``, else the debug build of ``commbox-mock`` in this checkout."""
    path = Path(os.environ.get("COMMBOX_MOCK_BIN", REPO / "target" / "debug" / "commbox-mock"))
    if not path.is_file():
        raise RuntimeError(f"{path} not found: run `cargo build -p commbox-mock --bin commbox-mock`")
    return path


class MockServer:
    """A running ``commbox-mock --port 0``; stop it with :meth:`stop` or a ``with`` block.

    With ``tls_dir``, it serves HTTPS with a new self-signed certificate written there:
    :attr:`cert_file` is the CA file a client must trust (``url`` is then ``https://``)."""

    def __init__(self, api_key: str = DEFAULT_KEY, tls_dir: Optional[Path] = None) -> None:
        self.api_key = api_key
        self.cert_file: Optional[Path] = None if tls_dir is None else Path(tls_dir) / "cert.pem"
        tls = [] if tls_dir is None else ["--tls-self-signed", str(tls_dir)]
        self._out = tempfile.TemporaryFile(mode="w+")
        self._proc = subprocess.Popen(
            [str(mock_binary()), "--port", "0", "--api-key", api_key, *tls],
            stdout=self._out,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        self.url = self._wait_for_url()
        # The URL line comes once the certificate is written.
        self._tls = None if self.cert_file is None else ssl.create_default_context(cafile=self.cert_file)

    def _wait_for_url(self) -> str:
        # The mock prints its base URL as its first stdout line once it listens.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            self._out.seek(0)
            line = self._out.readline()
            if line.endswith("\n"):
                return line.strip()
            if self._proc.poll() is not None:
                raise RuntimeError(f"commbox-mock exited with status {self._proc.returncode}")
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("commbox-mock printed no URL within 20 s")

    def _call(self, method: str, path: str, body: Any = None, timeout: float = 30) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=timeout, context=self._tls) as answer:
            raw = answer.read()
        return json.loads(raw) if raw else None

    def requests(self, timeout: float = 30) -> List[Dict[str, Any]]:
        """Every API request received since the last reset, oldest first (a soak's hundreds
        of thousands take longer than the default ``timeout`` in seconds)."""
        result: List[Dict[str, Any]] = self._call("GET", "/__mock/requests", timeout=timeout)
        return result

    def objects(self, timeout: float = 30) -> List[Dict[str, Any]]:
        """Every conversation stored since the last reset, with messages and attachments."""
        result: List[Dict[str, Any]] = self._call("GET", "/__mock/objects", timeout=timeout)
        return result

    def chatwoot(self, inbox: str = CHATWOOT_INBOX) -> Dict[str, Any]:
        """What the Chatwoot mock holds for one seeded inbox (``GET /__mock/chatwoot``): its
        contacts, and its conversations with their messages and attachments (name, size,
        sha256)."""
        state: Dict[str, Any] = self._call("GET", "/__mock/chatwoot")
        for item in state["inboxes"]:
            if item["identifier"] == inbox:
                found: Dict[str, Any] = item
                return found
        raise KeyError(inbox)

    def fault(self, **fault: Any) -> None:
        """Queues a fault for the next API request(s): ``status``, ``retry_after``, ``body``,
        ``delay_ms``, ``drop``, ``count``."""
        self._call("POST", "/__mock/faults", fault)

    def chaos(self, rate: float, **settings: Any) -> None:
        """Chaos mode: faults ``rate`` (0 to 1) of the later API requests at random, with
        ``seed``, ``kinds``, ``retry_after`` and ``delay_ms`` as ``POST /__mock/chaos`` takes
        them. Each faulted request's record names its kind in ``"chaos"``."""
        self._call("POST", "/__mock/chaos", {"rate": rate, **settings})

    def stop_chaos(self) -> Dict[str, Any]:
        """Turns chaos mode off and returns its report: ``requests`` drawn for, ``injected``
        by kind, ``failures`` (every kind but ``delay``)."""
        report: Dict[str, Any] = self._call("DELETE", "/__mock/chaos")
        return report

    def reset(self) -> None:
        """Forgets requests, objects, Chatwoot contacts and conversations, queued faults and
        chaos mode (the seeded inboxes stay)."""
        self._call("POST", "/__mock/reset", {})

    def stop(self) -> None:
        """Stops the server (SIGTERM, then SIGKILL after 5 s)."""
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._out.close()

    def __enter__(self) -> MockServer:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.stop()
