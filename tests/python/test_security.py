"""Security as Python sees it: the API key in nothing Python shows (no repr or str of a
client, no exception of any kind with its message, repr, attributes, traceback and cause,
no log record at the lowest level), and http:// only to loopback unless allowed."""

from __future__ import annotations

import asyncio
import logging
import traceback
from pathlib import Path
from typing import Callable, Iterator, List, Set

import pytest
from mock_server import CHATWOOT_INBOX, STREAM, MockServer

import commbox

SECRET = "py-SECRET-key-5e1d"


@pytest.fixture(scope="module")
def secret_mock() -> Iterator[MockServer]:
    with MockServer(api_key=SECRET) as server:
        yield server


def shown(error: BaseException) -> List[str]:
    """Everything an exception shows a person, a log or a program."""
    texts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    texts.extend(repr(a) for a in error.args)
    texts.extend(f"{k}={v!r}" for k, v in vars(error).items())
    cause = error.__cause__ or error.__context__
    if cause is not None:
        texts.extend(shown(cause))
    return texts


def test_no_exception_repr_or_record_shows_the_key(
    secret_mock: MockServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(1)  # below DEBUG: every record of every logger
    secret_mock.reset()
    texts: List[str] = []
    kinds: Set[type] = set()

    def failed(call: Callable[[], object]) -> None:
        with pytest.raises(commbox.CommboxError) as e:
            call()
        kinds.add(type(e.value))
        texts.extend(shown(e.value))

    def client(**settings: object) -> commbox.Client:
        options: dict[str, object] = {"base_url": secret_mock.url, "timeout": 0.5, "max_retries": 0}
        options.update(settings)
        return commbox.Client(SECRET, **options)  # type: ignore[arg-type]

    with client() as c:
        inbox = c.inbox(secret_mock.url, CHATWOOT_INBOX)
        texts += [repr(c), str(c), repr(c._native), repr(vars(c)), repr(inbox), str(inbox)]
        c.create_sms_conversation(STREAM, "972544444444", "hi")
        # Refused before any I/O, including keys that are not valid header values.
        failed(lambda: commbox.Client(SECRET + "\r\nX-Evil: 1", base_url=secret_mock.url))
        failed(lambda: commbox.Client(SECRET + "\x01", base_url=secret_mock.url))
        failed(lambda: c.create_sms_conversation(STREAM, "", "hi"))
        failed(lambda: client(ca_file=tmp_path / "no-such-ca.pem"))
        # Answers of every class.
        secret_mock.fault(status=401)
        failed(c.system_status)
        failed(lambda: c.get_conversation(STREAM, 999999))
        failed(lambda: c.raw_request("POST", "/streams/s/objects", {"data": {"Type": 4}}))
        secret_mock.fault(status=429, retry_after="0")
        failed(lambda: c.create_sms_conversation(STREAM, "972544444444", "hi"))
        secret_mock.fault(status=500)
        failed(c.managers)
        secret_mock.fault(status=200, body="<html>not JSON</html>")
        failed(c.managers)
        failed(lambda: inbox.get_contact("no-such-contact"))
        # No answer at all.
        secret_mock.fault(delay_ms=5000)
        failed(c.managers)
        secret_mock.fault(drop=True)
        failed(c.managers)
        with client(base_url="http://127.0.0.1:1") as refused:
            failed(refused.managers)
    with MockServer(api_key=SECRET, tls_dir=tmp_path / "tls") as tls:
        with client(base_url=tls.url) as untrusted:
            failed(untrusted.managers)

    async def in_asyncio() -> None:
        async with commbox.AsyncClient(SECRET, base_url=secret_mock.url) as ac:
            texts.extend([repr(ac), str(ac)])
            secret_mock.fault(status=401)
            with pytest.raises(commbox.AuthenticationError) as e:
                await ac.system_status()
            texts.extend(shown(e.value))

    asyncio.run(in_asyncio())

    leaf_kinds = {
        commbox.ValidationError,
        commbox.AuthenticationError,
        commbox.NotFoundError,
        commbox.RateLimitError,
        commbox.BadRequestError,
        commbox.ServerError,
        commbox.TimeoutError,
        commbox.ConnectionError,
        commbox.TlsError,
        commbox.DecodeError,
        commbox.FileError,
    }
    assert kinds == leaf_kinds
    records = [r for r in caplog.records if r.name == "commbox"]
    assert any(r.levelno == logging.DEBUG for r in records), "the library's records were captured"
    for record in caplog.records:
        texts.append(record.getMessage())
        texts.extend(f"{k}={v!r}" for k, v in vars(record).items())
    assert [t for t in texts if SECRET in t] == []


@pytest.mark.parametrize(
    "url", ["http://api.commbox.io", "http://10.0.0.1:8080", "http://localhost.example.com", "http://[::ffff:7f00:1]"]
)
def test_http_to_another_host_needs_allow_insecure_http(url: str) -> None:
    # Making a client or an inbox does no I/O: none of these hosts is contacted.
    with pytest.raises(commbox.ValidationError) as e:
        commbox.Client("k", base_url=url)
    assert e.value.field == "base_url"
    # The core's message names the setting that allows it: this keyword argument, and its variable.
    assert str(e.value).startswith("base_url: http:// is refused for non-loopback hosts"), str(e.value)
    assert str(e.value).endswith("or allow it with allow_insecure_http (COMMBOX_ALLOW_INSECURE_HTTP)"), str(e.value)
    with pytest.raises(commbox.ValidationError) as e:
        commbox.InboxClient(url, CHATWOOT_INBOX)
    assert e.value.field == "base_url"
    with commbox.Client("k") as client, pytest.raises(commbox.ValidationError) as e:
        client.inbox(url, CHATWOOT_INBOX)
    assert e.value.field == "base_url"
    commbox.Client("k", base_url=url, allow_insecure_http=True).close()
    commbox.InboxClient(url, CHATWOOT_INBOX, allow_insecure_http=True).close()
    with commbox.Client("k", allow_insecure_http=True) as client:
        client.inbox(url, CHATWOOT_INBOX).close()


@pytest.mark.parametrize("url", ["http://127.0.0.1:1", "http://localhost:1", "http://[::1]:1"])
def test_http_to_loopback_is_allowed(url: str) -> None:
    commbox.Client("k", base_url=url).close()
    commbox.InboxClient(url, CHATWOOT_INBOX).close()
