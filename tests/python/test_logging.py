"""One DEBUG record per API call on the `commbox` logger, with the call's facts and never
the key."""

from __future__ import annotations

import logging
from typing import Any, Iterator

import pytest
from mock_server import STREAM, MockServer

import commbox

SECRET = "s3cr3t-key-never-logged"


def extra(record: logging.LogRecord, name: str) -> Any:
    """A structured field of a commbox record (``commbox_<name>``)."""
    return getattr(record, f"commbox_{name}")


@pytest.fixture
def secret_mock() -> Iterator[MockServer]:
    """A mock of its own, whose key is recognisable in any output."""
    with MockServer(api_key=SECRET) as server:
        yield server


def test_one_record_per_call(client: commbox.Client, mock: MockServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="commbox")
    conversation = client.create_sms_conversation(STREAM, "972544444444", "hi")
    client.get_conversation(STREAM, conversation)
    records = [r for r in caplog.records if r.name == "commbox"]
    assert len(records) == 2
    create, get = records
    assert create.levelno == logging.DEBUG
    sent = mock.requests()
    assert create.getMessage() == (
        f"POST /streams/hNyRN_fLUy7rrOrN9jLpipA%3D%3D/objects -> 200 in {extra(create, 'duration_ms'):.1f} ms, "
        f"0 retries, request id {sent[0]['headers']['x-request-id']}"
    )
    assert extra(create, "method") == "POST"
    assert extra(create, "status") == 200
    assert extra(create, "retries") == 0
    assert extra(create, "error") is None
    assert extra(create, "request_id") == sent[0]["headers"]["x-request-id"]
    assert extra(create, "duration_ms") > 0
    # The query is not logged, only the path.
    assert extra(get, "path") == f"/streams/hNyRN_fLUy7rrOrN9jLpipA%3D%3D/objects/{conversation}"


def test_retries_and_failures_are_in_the_record(
    client: commbox.Client, mock: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="commbox")
    mock.fault(status=429, retry_after="0", count=2)
    client.create_sms_conversation(STREAM, "972544444444", "hi")
    mock.fault(status=500)
    with pytest.raises(commbox.ServerError):
        client.create_sms_conversation(STREAM, "972544444444", "hi")
    retried, failed = [r for r in caplog.records if r.name == "commbox"]
    assert extra(retried, "retries") == 2
    assert "2 retries" in retried.getMessage()
    assert extra(failed, "status") == 500
    assert extra(failed, "error") == "server"


def test_validation_errors_send_and_log_nothing(
    client: commbox.Client, mock: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="commbox")
    with pytest.raises(commbox.ValidationError):
        client.create_sms_conversation(STREAM, "", "hi")
    assert [r for r in caplog.records if r.name == "commbox"] == []


def test_no_record_above_debug(client: commbox.Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="commbox")
    client.system_status()
    assert [r for r in caplog.records if r.name == "commbox"] == []


def test_the_key_is_never_logged_nor_shown(secret_mock: MockServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with commbox.Client(api_key=SECRET, base_url=secret_mock.url) as client:
        client.create_sms_conversation(STREAM, "972544444444", "hi")
        secret_mock.fault(status=401)
        with pytest.raises(commbox.AuthenticationError) as e:
            client.system_status()
        shown = [repr(client), repr(client._native), str(e.value), repr(e.value), e.value.body or ""]
    assert caplog.records
    for record in caplog.records:
        shown.append(record.getMessage())
        shown.extend(str(v) for v in vars(record).values())
    assert not [text for text in shown if SECRET in text]
