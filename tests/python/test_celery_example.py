"""examples/python/celery_task.py under injected faults: Celery retries a send only when the
error says it is safe, so no SMS is stored twice, and every SMS is either stored or its task
ended "may have been processed" for a person to check.

The tasks run in Celery's eager mode (in this process, no broker; a retry runs at once) against
the mock in chaos mode. The client makes no retries of its own (COMMBOX_MAX_RETRIES=0), so
every retry is the task's.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from types import ModuleType
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from celery.signals import task_retry
from mock_server import DEFAULT_KEY, REPO, MockServer

PHONE = "972544444444"


@pytest.fixture
def example(mock: MockServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The example module, its tasks eager, its client on the mock."""
    monkeypatch.setenv("COMMBOX_API_KEY", DEFAULT_KEY)
    monkeypatch.setenv("COMMBOX_BASE_URL", mock.url)
    monkeypatch.setenv("COMMBOX_MAX_RETRIES", "0")
    monkeypatch.setenv("COMMBOX_TIMEOUT", "5")
    spec = importlib.util.spec_from_file_location("celery_task", REPO / "examples" / "python" / "celery_task.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.app.conf.task_always_eager = True
    # A task that fails keeps its exception in its result instead of raising here.
    module.app.conf.task_eager_propagates = False
    yield module
    if module._client is not None:
        module._client.close()


def send_all(example: ModuleType, n: int) -> Tuple[List[Tuple[str, Any]], int]:
    """Sends ``n`` SMS with distinct texts through the task; returns each text with its
    task's outcome (the returned document, or the exception it failed with), and how many
    times a task asked Celery to retry."""
    retries = 0

    def count(**_: Any) -> None:
        nonlocal retries
        retries += 1

    task_retry.connect(count, weak=False)
    try:
        outcomes = []
        for i in range(n):
            text = f"order {i} has shipped"
            result = example.send_sms.delay(PHONE, text)
            outcomes.append((text, result.result))
    finally:
        task_retry.disconnect(count)
    return outcomes, retries


def stored_texts(mock: MockServer) -> Counter[str]:
    return Counter(o["data"]["Message"] for o in mock.objects())


def test_no_sms_is_stored_twice_and_every_one_is_stored_or_flagged(example: ModuleType, mock: MockServer) -> None:
    # Every kind of fault, 30 % of requests: 429 and 503 (safe: retried), 500/502/504 and
    # connections reset before or after the SMS was stored (may have been processed).
    mock.chaos(0.3, seed=20261204, retry_after="0", delay_ms=5)
    outcomes, retries = send_all(example, 200)
    report: Dict[str, Any] = mock.stop_chaos()
    stored = stored_texts(mock)

    problems = []
    flagged = stored_and_flagged = 0
    for text, outcome in outcomes:
        if not isinstance(outcome, dict):
            problems.append(f"{text!r}: the task failed: {outcome!r}")
            continue
        if stored[text] > 1:
            problems.append(f"{text!r}: stored {stored[text]} times")
        if outcome["outcome"] == example.SENT:
            if stored[text] != 1:
                problems.append(f"{text!r}: sent, but stored {stored[text]} times")
        elif outcome["outcome"] == example.MAY_HAVE_BEEN_PROCESSED:
            flagged += 1
            stored_and_flagged += stored[text]
            if not outcome["request_id"]:
                problems.append(f"{text!r}: flagged without the request id to check it by")
        else:
            problems.append(f"{text!r}: outcome {outcome}")
    assert not problems, "\n".join(problems)
    assert sum(stored.values()) == len(stored), "an SMS was stored twice"
    # The run met what it is about: faults of both sorts, retries, flags.
    assert report["injected"].get("429", 0) + report["injected"].get("503", 0) > 0, report
    assert report["injected"].get("drop_after", 0) > 0, report
    assert retries > 0, "no task was retried"
    assert flagged > 0, "no task ended 'may have been processed'"
    # drop_after stores the SMS and then resets the connection: flagged, and there once.
    assert stored_and_flagged > 0


def test_safe_failures_are_retried_until_sent(example: ModuleType, mock: MockServer) -> None:
    # Only refusals the server says it did not process: every SMS ends sent, exactly once.
    mock.chaos(0.3, seed=7, kinds=["429", "429_retry_after", "503", "503_retry_after"], retry_after="0")
    outcomes, retries = send_all(example, 100)
    mock.stop_chaos()
    stored = stored_texts(mock)
    assert retries > 0
    for text, outcome in outcomes:
        assert isinstance(outcome, dict) and outcome["outcome"] == example.SENT, (text, outcome)
        assert stored[text] == 1, (text, stored[text])


def test_a_failure_that_may_have_been_processed_is_not_retried(example: ModuleType, mock: MockServer) -> None:
    mock.fault(status=502)
    outcomes, retries = send_all(example, 1)
    (text, outcome), = outcomes
    assert retries == 0
    assert outcome["outcome"] == example.MAY_HAVE_BEEN_PROCESSED
    assert len(mock.requests()) == 1


def test_a_request_that_would_fail_again_is_refused_not_retried(example: ModuleType, mock: MockServer) -> None:
    mock.fault(status=400)
    outcomes, retries = send_all(example, 1)
    assert retries == 0
    assert outcomes[0][1]["outcome"] == example.REFUSED
    assert not mock.objects()
