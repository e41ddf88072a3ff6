"""A client inherited by a forked child (gunicorn, Celery prefork) works there instead of
hanging on the parent's transport, and the parent's client is unaffected."""

from __future__ import annotations

import os
import signal
import time
from typing import Callable

import pytest
from mock_server import STREAM, MockServer

import commbox

pytestmark = pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")


def in_child(body: Callable[[], int], deadline: float = 30.0) -> int:
    """Runs `body` in a forked child and returns its exit code; kills it past `deadline`."""
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            code = body()
        finally:
            os._exit(code)
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError(f"the forked child hung for {deadline} s")


def test_child_rebuilds_the_transport(client: commbox.Client, mock: MockServer) -> None:
    # The parent's transport is live: its runtime thread runs and a connection is pooled.
    client.system_status()

    def child() -> int:
        conversation = client.create_sms_conversation(STREAM, "972544444444", "from the child")
        client.close()  # drops the child's own transport: must not hang either
        return 0 if conversation > 0 else 1

    assert in_child(child) == 0
    (stored,) = mock.objects()
    assert stored["data"]["Message"] == "from the child"
    # The parent keeps working on its own transport.
    client.create_sms_conversation(STREAM, "972544444444", "from the parent")
    requests = mock.requests()
    assert [r["status"] for r in requests] == [200, 200, 200]
    ids = [r["headers"]["x-request-id"] for r in requests]
    assert len(set(ids)) == len(ids), "parent and child must not repeat request ids"


def test_child_can_drop_the_parents_client_without_using_it(client: commbox.Client) -> None:
    client.system_status()

    def child() -> int:
        client.close()
        return 0

    assert in_child(child) == 0
    assert client.system_status().http_status == 200


def test_child_can_use_a_client_built_before_any_call(mock: MockServer) -> None:
    with commbox.Client(api_key=mock.api_key, base_url=mock.url) as fresh:
        assert in_child(lambda: 0 if fresh.system_status().http_status == 200 else 1) == 0
