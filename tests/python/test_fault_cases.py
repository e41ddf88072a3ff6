"""The fault matrix (docs/reliability.md), Python face: one test per case of
tests/cases/faults.json (ids = case ids). Each runs the table's five creates against its
server with the default retry policy and fails with every create whose outcome (exception
class, message, request id, retry_after, body, requests seen, records stored) differs from
the case's ``expect``.

What only this face does: memory is the growth of this process's peak RSS during the call;
the other host of a redirect is a listening socket that must have no pending connection;
attempts are not observable here.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Type

import case_table
import pytest
from case_table import Observed
from mock_server import CHATWOOT_INBOX, DEFAULT_KEY, STREAM, MockServer

import commbox

TABLE = case_table.load("faults.json")
CASES = TABLE["cases"]
PHONE = "972544444444"
#: The answer cap is 32 MiB, and reading up to it may double a buffer once; a client that
#: held a whole 1 GiB answer would grow by 1 GiB.
FLAT = 160 << 20

#: The error kinds (``commbox::ErrorKind::as_str``) and this face's exception classes.
KINDS: Dict[Type[commbox.CommboxError], str] = {
    commbox.ValidationError: "validation",
    commbox.AuthenticationError: "authentication",
    commbox.NotFoundError: "not_found",
    commbox.RateLimitError: "rate_limited",
    commbox.BadRequestError: "bad_request",
    commbox.ServerError: "server",
    commbox.TimeoutError: "timeout",
    commbox.ConnectionError: "connection",
    commbox.TlsError: "tls",
    commbox.DecodeError: "decode",
    commbox.FileError: "io",
}


class Site:
    """A server with a CommBox conversation and a Chatwoot contact with a conversation."""

    def __init__(self, url: str, mock: Optional[MockServer]) -> None:
        self.url = url
        self.mock = mock
        self.object_id = 1
        self.contact = "nobody"
        self.conversation = 1
        if mock is None:
            return
        # A fresh start keeps the inspection answers small.
        mock.reset()
        ca = {} if mock.cert_file is None else {"ca_file": mock.cert_file}
        with commbox.Client(api_key=DEFAULT_KEY, base_url=mock.url, **ca) as client:  # type: ignore[arg-type]
            self.object_id = client.create_sms_conversation(STREAM, PHONE, "set-up")
            inbox = client.inbox(mock.url, CHATWOOT_INBOX)
            contact = inbox.create_contact(name="Set-up").source_id
            assert contact is not None
            self.contact = contact
            self.conversation = inbox.create_conversation(contact).id

    def counts(self) -> Tuple[int, int]:
        """Requests the server saw, records it stored (CommBox conversations and messages,
        Chatwoot contacts, conversations and messages)."""
        if self.mock is None:
            return 0, 0
        stored = sum(1 + len(o["children"]) for o in self.mock.objects())
        inbox = self.mock.chatwoot(CHATWOOT_INBOX)
        stored += len(inbox["contacts"]) + sum(1 + len(c["messages"]) for c in inbox["conversations"])
        return len(self.mock.requests()), stored


CREATES: Dict[str, Callable[[commbox.Client, commbox.InboxClient, Site], Any]] = {
    "commbox_conversation": lambda c, i, s: c.create_sms_conversation(STREAM, PHONE, "fault"),
    "commbox_message": lambda c, i, s: c.create_customer_message(STREAM, s.object_id, PHONE, "fault"),
    "chatwoot_contact": lambda c, i, s: i.create_contact(name="Fault"),
    "chatwoot_conversation": lambda c, i, s: i.create_conversation(s.contact),
    "chatwoot_message": lambda c, i, s: i.create_message(s.contact, s.conversation, "fault"),
}


@pytest.fixture(scope="module")
def tls_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    with MockServer(tls_dir=tmp_path_factory.mktemp("tls")) as server:
        yield server


@pytest.fixture
def other_host() -> Iterator[Tuple[str, socket.socket]]:
    """A listening socket that counts as another host (``localhost``, another port): a
    client that followed a redirect there would leave a connection to accept."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    yield f"http://localhost:{listener.getsockname()[1]}", listener
    listener.close()


def unreachable_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def peak_rss() -> int:
    """This process's peak resident memory since the last reset, in bytes (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def reset_peak_rss() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def observe(error: Optional[commbox.CommboxError], requests: int, stored: int) -> Observed:
    got = Observed(requests, stored)
    if error is None:
        return got
    got.outcome = KINDS.get(type(error), f"class {type(error).__name__}")
    got.message = error.message
    got.request_id = bool(error.request_id)
    got.retry_safety = error.retry_safety
    if error.may_duplicate != (error.retry_safety == "may_duplicate"):
        got.retry_safety = f"{error.retry_safety} but may_duplicate={error.may_duplicate}"
    got.retry_after = getattr(error, "retry_after", None)
    got.http_status = error.status
    got.body = error.body
    got.description = error.description
    return got


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_fault_case(
    case: Dict[str, Any],
    request: pytest.FixtureRequest,
    other_host: Tuple[str, socket.socket],
) -> None:
    site_kind = case.get("site", "mock")
    if site_kind == "unreachable":
        site = Site(unreachable_url(), None)
    elif site_kind == "tls":
        site = Site(request.getfixturevalue("tls_mock").url, request.getfixturevalue("tls_mock"))
    else:
        assert site_kind == "mock", site_kind
        mock: MockServer = request.getfixturevalue("mock_server")
        site = Site(mock.url, mock)
    settings: Dict[str, Any] = {}
    client_settings = case.get("client", {})
    if "timeout_ms" in client_settings:
        settings["timeout"] = client_settings["timeout_ms"] / 1000
    if client_settings.get("ca_file") == "site":
        assert site.mock is not None and site.mock.cert_file is not None
        settings["ca_file"] = site.mock.cert_file
    elsewhere, listener = other_host
    expect = case["expect"]

    problems: List[str] = []
    with commbox.Client(api_key=DEFAULT_KEY, base_url=site.url, **settings) as client:
        inbox = client.inbox(site.url, CHATWOOT_INBOX)
        for op in TABLE["creates"]:
            requests_before, stored_before = site.counts()
            faults = case_table.fill_fault(case.get("faults", []), elsewhere)
            if faults:
                assert site.mock is not None
                site.mock._call("POST", "/__mock/faults", faults)
            before = peak_rss()
            reset_peak_rss()
            error: Optional[commbox.CommboxError] = None
            try:
                CREATES[op](client, inbox, site)
            except commbox.CommboxError as e:
                error = e
            grown = peak_rss() - before
            requests_after, stored_after = site.counts()
            got = observe(error, requests_after - requests_before, stored_after - stored_before)
            found = case_table.judge(case, TABLE, got, elsewhere)
            if expect.get("memory") == "flat" and grown >= FLAT:
                found.append(f"peak RSS grew by {grown >> 20} MiB")
            problems += [f"{op}: {p}" for p in found]
    if expect.get("other_host") == "untouched":
        try:
            listener.accept()
            problems.append("the other host was contacted")
        except BlockingIOError:
            pass
    assert not problems, f"{case['id']} ({case['what']}):\n" + "\n".join(problems)
