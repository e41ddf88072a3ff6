"""Every exception class, with its fields, raised by real failures against the mock."""

from __future__ import annotations

import builtins
import os
import socket
import time
from typing import Callable, Optional

import pytest
from mock_server import DEFAULT_KEY, STREAM, MockServer

import commbox

# `make test` builds the module with its test hooks (the `test-hooks` feature) and says so;
# read now, as conftest.py removes COMMBOX_* variables from every test's environment.
TEST_HOOKS_EXPECTED = os.environ.get("COMMBOX_TEST_HOOKS") == "1"


def client_for(mock: MockServer, **settings: object) -> commbox.Client:
    return commbox.Client(api_key=DEFAULT_KEY, base_url=mock.url, **settings)  # type: ignore[arg-type]


def test_hierarchy() -> None:
    assert issubclass(commbox.ValidationError, commbox.CommboxError)
    assert issubclass(commbox.ValidationError, ValueError)
    for api in (
        commbox.BadRequestError,
        commbox.AuthenticationError,
        commbox.NotFoundError,
        commbox.RateLimitError,
        commbox.ServerError,
    ):
        assert issubclass(api, commbox.ApiError)
    assert issubclass(commbox.ApiError, commbox.CommboxError)
    assert issubclass(commbox.TimeoutError, commbox.TransportError)
    assert issubclass(commbox.TimeoutError, builtins.TimeoutError)
    assert issubclass(commbox.ConnectionError, commbox.TransportError)
    assert issubclass(commbox.ConnectionError, builtins.ConnectionError)
    assert issubclass(commbox.TlsError, commbox.TransportError)
    assert issubclass(commbox.TransportError, commbox.CommboxError)
    assert issubclass(commbox.DecodeError, commbox.CommboxError)
    assert issubclass(commbox.FileError, commbox.CommboxError)
    assert issubclass(commbox.FileError, OSError)


def test_validation_error_names_the_field_and_sends_nothing(client: commbox.Client, mock: MockServer) -> None:
    with pytest.raises(commbox.ValidationError) as e:
        client.create_sms_conversation(STREAM, "972544444444", "   ")
    assert e.value.field == "Message"
    assert e.value.reason == "required"
    assert e.value.request_id is None
    assert str(e.value) == "Message: required"
    with pytest.raises(commbox.ValidationError) as e:
        client.create_bulk_sms_conversation(STREAM, "972544444444", "m", ["972522222222", "12ab"])
    assert e.value.field == "Content.to[1]"
    with pytest.raises(commbox.ValidationError) as e:
        client.create_email_conversation(STREAM, "not-an-address", "s", "m")
    assert e.value.field == "UserStreamProviderId"
    with pytest.raises(commbox.ValidationError) as e:
        client.create_customer_message(STREAM, 0, "a@b.co", "m")
    assert e.value.field == "object_id"
    with pytest.raises(commbox.ValidationError) as e:
        client.raw_request("TRACE", "/managers")
    assert e.value.field == "method"
    with pytest.raises(ValueError):
        client.create_chat_conversation(STREAM, "a@b", "m")
    assert mock.requests() == []


def test_settings_are_validated(mock: MockServer) -> None:
    with pytest.raises(commbox.ValidationError) as e:
        commbox.Client(base_url=mock.url)
    assert e.value.field == "api_key"
    with pytest.raises(commbox.ValidationError) as e:
        client_for(mock, timeout=-1)
    assert e.value.field == "timeout"
    with pytest.raises(commbox.ValidationError) as e:
        client_for(mock, connect_timeout=0)
    assert e.value.field == "connect_timeout"
    with pytest.raises(commbox.ValidationError) as e:
        commbox.Client(api_key="k", base_url="http://api.example.com")
    assert e.value.field == "base_url"
    assert "http://" in (e.value.reason or "")


def test_authentication_error(mock: MockServer) -> None:
    with commbox.Client(api_key="wrong-secret-key", base_url=mock.url) as client:
        with pytest.raises(commbox.AuthenticationError) as e:
            client.create_sms_conversation(STREAM, "972544444444", "hi")
    err = e.value
    assert err.status == 401
    assert err.description == "Unauthorized access"
    assert err.body is not None and "Unauthorized" in err.body
    assert err.request_id is not None and len(err.request_id) == 36
    assert err.request_id in str(err)
    for text in (str(err), repr(err), err.body):
        assert "wrong-secret-key" not in text
    # The request id is the one sent on the wire.
    assert mock.requests()[-1]["headers"]["x-request-id"] == err.request_id


def test_not_found_error(client: commbox.Client, mock: MockServer) -> None:
    with pytest.raises(commbox.NotFoundError) as e:
        client.get_conversation(STREAM, 424242)
    assert e.value.status == 404
    assert e.value.request_id


def test_rate_limit_error_carries_retry_after(client: commbox.Client, mock: MockServer) -> None:
    # Longer than the client's cap (60 s): returned at once instead of waited for.
    mock.fault(status=429, retry_after="120")
    with pytest.raises(commbox.RateLimitError) as e:
        client.create_sms_conversation(STREAM, "972544444444", "hi")
    assert e.value.status == 429
    assert e.value.retry_after == 120.0
    assert len(mock.requests()) == 1


def test_rate_limit_is_retried_when_the_server_allows(client: commbox.Client, mock: MockServer) -> None:
    mock.fault(status=429, retry_after="0", count=2)
    conversation_id = client.create_sms_conversation(STREAM, "972544444444", "hi")
    assert [r["status"] for r in mock.requests()] == [429, 429, 200]
    assert mock.objects()[0]["id"] == conversation_id


def test_bad_request_error(client: commbox.Client, mock: MockServer) -> None:
    mock.fault(status=400, body={"status": 400, "description": "Stream is disabled", "data": None})
    with pytest.raises(commbox.BadRequestError) as e:
        client.create_sms_conversation(STREAM, "972544444444", "hi")
    assert e.value.status == 400
    assert e.value.description == "Stream is disabled"


def test_server_error_on_a_create_is_not_retried(client: commbox.Client, mock: MockServer) -> None:
    mock.fault(status=500, count=3)
    with pytest.raises(commbox.ServerError) as e:
        client.create_sms_conversation(STREAM, "972544444444", "hi")
    assert e.value.status == 500
    assert len(mock.requests()) == 1, "a create that may have been processed is never re-sent"


def test_timeout_error(mock: MockServer) -> None:
    mock.fault(delay_ms=3000)
    with client_for(mock, timeout=0.3) as client:
        started = time.monotonic()
        with pytest.raises(commbox.TimeoutError) as e:
            client.create_sms_conversation(STREAM, "972544444444", "hi")
        assert time.monotonic() - started < 2.5
    assert isinstance(e.value, builtins.TimeoutError)
    assert e.value.request_id
    assert e.value.status is None


def test_connection_error_when_nothing_listens() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with commbox.Client(api_key="k", base_url=f"http://127.0.0.1:{port}", max_retries=0) as client:
        with pytest.raises(commbox.ConnectionError) as e:
            client.system_status()
    assert isinstance(e.value, builtins.ConnectionError)
    assert e.value.request_id


def test_connection_error_when_the_connection_drops(client: commbox.Client, mock: MockServer) -> None:
    mock.fault(drop=True)
    with pytest.raises(commbox.ConnectionError):
        client.create_sms_conversation(STREAM, "972544444444", "hi")


def test_tls_error(mock: MockServer) -> None:
    # The mock speaks plain HTTP: a TLS handshake with it fails.
    with commbox.Client(api_key="k", base_url=mock.url.replace("http://", "https://"), max_retries=0) as client:
        with pytest.raises(commbox.TlsError) as e:
            client.system_status()
    assert isinstance(e.value, commbox.TransportError)


def test_decode_error(client: commbox.Client, mock: MockServer) -> None:
    mock.fault(status=200, body="<html>a proxy page</html>")
    with pytest.raises(commbox.DecodeError) as e:
        client.create_sms_conversation(STREAM, "972544444444", "hi")
    assert e.value.status == 200
    assert e.value.body is not None and "proxy page" in e.value.body


def test_file_error(mock: MockServer) -> None:
    with pytest.raises(commbox.FileError) as e:
        client_for(mock, ca_file="/no/such/ca.pem")
    assert isinstance(e.value, OSError)
    assert "/no/such/ca.pem" in str(e.value)


def test_rust_panic_is_a_commbox_error() -> None:
    # A test hook: only in builds with the `test-hooks` feature. Under `make test` a build
    # without it fails here rather than skipping.
    panic: Optional[Callable[[], None]] = getattr(commbox._commbox, "_panic_for_tests", None)
    if panic is None:
        if TEST_HOOKS_EXPECTED:
            pytest.fail("COMMBOX_TEST_HOOKS=1 but commbox was built without the test-hooks feature")
        pytest.skip("commbox was built without the test-hooks feature")
    with pytest.raises(commbox.CommboxError) as e:
        panic()
    assert type(e.value) is commbox.CommboxError
    assert "a test panic" in str(e.value)


def test_closed_client(mock: MockServer) -> None:
    client = client_for(mock)
    client.close()
    client.close()
    assert client.closed
    with pytest.raises(commbox.CommboxError, match="closed"):
        client.system_status()


def test_every_error_says_whether_sending_again_can_duplicate(client: commbox.Client, mock: MockServer) -> None:
    # Refused before anything was sent, or by the server without processing it: safe.
    with pytest.raises(commbox.ValidationError) as v:
        client.create_sms_conversation(STREAM, "972544444444", "   ")
    assert v.value.retry_safety == "safe" and not v.value.may_duplicate
    mock.fault(status=429, retry_after="120")
    with pytest.raises(commbox.RateLimitError) as r:
        client.create_sms_conversation(STREAM, "972544444444", "hi")
    assert r.value.retry_safety == "safe"
    # A 500 may come after the work was done: the create may exist.
    mock.fault(status=500)
    with pytest.raises(commbox.ServerError) as s:
        client.create_sms_conversation(STREAM, "972544444444", "hi")
    assert s.value.retry_safety == "may_duplicate" and s.value.may_duplicate
    assert "retry_safety='may_duplicate'" in repr(s.value)
    closed = client_for(mock)
    closed.close()
    with pytest.raises(commbox.CommboxError) as c:
        closed.create_sms_conversation(STREAM, "972544444444", "hi")
    assert c.value.retry_safety == "safe"


def test_errors_made_in_python_assume_the_cautious_retry_safety() -> None:
    assert commbox.CommboxError("made by hand").retry_safety == "may_duplicate"
    assert commbox.TimeoutError("made by hand").may_duplicate
    assert commbox.ValidationError("x: bad", field="x").retry_safety == "safe"
    assert commbox.FileError("f: missing", field="f").retry_safety == "safe"
    assert not commbox.ServerError("503", retry_safety="safe").may_duplicate
