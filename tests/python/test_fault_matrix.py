"""The fault matrix (issue 7, docs/reliability.md), Python face: every case F01..F23 against
the five creates (CommBox create conversation and create message, Chatwoot create contact,
conversation and message). For each: the exception class (or success), what its message
says, how many requests the server saw, and how many records it stored. Clients use the
default retry policy (2 retries). Same case ids as crates/commbox/tests/fault_matrix.rs.
"""

from __future__ import annotations

import email.utils
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Type

import pytest
from mock_server import CHATWOOT_INBOX, DEFAULT_KEY, STREAM, MockServer

import commbox

PHONE = "972544444444"
GIB = 1 << 30
HTML_PAGE = (
    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
    "</center><hr><center>nginx</center></body></html>"
)
#: The answer cap is 32 MiB, and reading up to it may double a buffer once; a client that
#: held a whole 1 GiB answer would grow by 1 GiB.
FLAT = 160 << 20


@dataclass
class Site:
    """A server with a CommBox conversation and a Chatwoot contact with a conversation."""

    url: str
    mock: Optional[MockServer]
    object_id: int = 1
    contact: str = "nobody"
    conversation: int = 1

    def counts(self) -> Tuple[int, int]:
        """Requests the server saw, records it stored (CommBox conversations and messages,
        Chatwoot contacts, conversations and messages)."""
        if self.mock is None:
            return 0, 0
        stored = sum(1 + len(o["children"]) for o in self.mock.objects())
        inbox = self.mock.chatwoot(CHATWOOT_INBOX)
        stored += len(inbox["contacts"]) + sum(1 + len(c["messages"]) for c in inbox["conversations"])
        return len(self.mock.requests()), stored


def prepare(mock: MockServer) -> Site:
    ca = {} if mock.cert_file is None else {"ca_file": mock.cert_file}
    with commbox.Client(api_key=DEFAULT_KEY, base_url=mock.url, **ca) as client:  # type: ignore[arg-type]
        object_id = client.create_sms_conversation(STREAM, PHONE, "set-up")
        inbox = client.inbox(mock.url, CHATWOOT_INBOX)
        contact = inbox.create_contact(name="Set-up").source_id
        assert contact is not None
        conversation = inbox.create_conversation(contact).id
    return Site(mock.url, mock, object_id, contact, conversation)


OPS: Dict[str, Callable[[commbox.Client, commbox.InboxClient, Site], Any]] = {
    "commbox_conversation": lambda c, i, s: c.create_sms_conversation(STREAM, PHONE, "fault"),
    "commbox_message": lambda c, i, s: c.create_customer_message(STREAM, s.object_id, PHONE, "fault"),
    "chatwoot_contact": lambda c, i, s: i.create_contact(name="Fault"),
    "chatwoot_conversation": lambda c, i, s: i.create_conversation(s.contact),
    "chatwoot_message": lambda c, i, s: i.create_message(s.contact, s.conversation, "fault"),
}


def http_date_in(seconds: int) -> str:
    return email.utils.formatdate(time.time() + seconds, usegmt=True)


def raw(text: str, content_type: str, status: int = 200) -> Dict[str, Any]:
    return {"status": status, "body": text, "content_type": content_type}


@dataclass
class Case:
    """One row of the matrix: what the server does and what every create must give."""

    id: str
    faults: Callable[[], List[Dict[str, Any]]]
    error: Optional[Type[commbox.CommboxError]]
    says: str
    seen: int
    site: str = "mock"  # "mock", "unreachable", "tls" or "tls-trusted"
    settings: Dict[str, Any] = field(default_factory=dict)
    check: Optional[Callable[[Any], None]] = None
    huge: bool = False


def retry_after_is(seconds: float) -> Callable[[Any], None]:
    def check(e: Any) -> None:
        assert e.retry_after == seconds

    return check


def retry_after_near_120(e: Any) -> None:
    assert 100 <= e.retry_after <= 120, e.retry_after


def no_retry_after(e: Any) -> None:
    assert e.retry_after is None


def html_page_kept(e: Any) -> None:
    assert e.body == HTML_PAGE
    assert e.description is None


def body_cut_to_64_kib(e: Any) -> None:
    assert len(e.body) == 64 * 1024


def truncated_body_kept(e: Any) -> None:
    assert e.status == 200
    assert e.body.startswith('{"status":200')


def says_it_may_have_been_processed(e: Any) -> None:
    assert e.message.endswith(
        "(the request was sent, so the server may have processed it; it was not sent again)"
    ), e.message


TRUNCATED = '{"status":200,"data":{"id":4'
MID_BODY = '{"status":200,"description":"OK","data":{"id":1,"source_id":"x"}}'

CASES = [
    Case("F01", lambda: [], commbox.ConnectionError, "cannot connect to http://127.0.0.1:", 0, site="unreachable"),
    Case(
        "F02",
        lambda: [{"drop": True}],
        commbox.ConnectionError,
        "connection failed before an answer",
        1,
        check=says_it_may_have_been_processed,
    ),
    Case(
        "F03",
        lambda: [{**raw(MID_BODY, "application/json"), "reset_after_bytes": 20}],
        commbox.ConnectionError,
        "reading the HTTP 200 answer failed: Connection reset by peer",
        1,
        check=says_it_may_have_been_processed,
    ),
    Case(
        "F04",
        lambda: [{"delay_ms": 1500}],
        commbox.TimeoutError,
        "timed out waiting for the server",
        1,
        settings={"timeout": 0.3},
        check=says_it_may_have_been_processed,
    ),
    Case("F05", lambda: [{"status": 429, "retry_after": "1"}], None, "", 2),
    Case(
        "F06",
        lambda: [{"status": 429, "retry_after": "120"}],
        commbox.RateLimitError,
        "HTTP 429",
        1,
        check=retry_after_is(120.0),
    ),
    Case("F07", lambda: [{"status": 429, "retry_after": http_date_in(1)}], None, "", 2),
    Case(
        "F08",
        lambda: [{"status": 429, "retry_after": http_date_in(120)}],
        commbox.RateLimitError,
        "HTTP 429",
        1,
        check=retry_after_near_120,
    ),
    Case(
        "F09", lambda: [{"status": 429, "count": 3}], commbox.RateLimitError, "HTTP 429", 3, check=no_retry_after
    ),
    Case("F10", lambda: [{"status": 500}], commbox.ServerError, "HTTP 500", 1),
    Case("F11", lambda: [{"status": 502}], commbox.ServerError, "HTTP 502", 1),
    Case("F12", lambda: [{"status": 503, "count": 3}], commbox.ServerError, "HTTP 503", 3),
    Case("F13", lambda: [{"status": 504}], commbox.ServerError, "HTTP 504", 1),
    Case(
        "F14",
        lambda: [raw(TRUNCATED, "application/json")],
        commbox.DecodeError,
        "not JSON",
        1,
        check=truncated_body_kept,
    ),
    Case(
        "F15",
        lambda: [raw(HTML_PAGE, "text/html", status=502)],
        commbox.ServerError,
        "HTTP 502 Bad Gateway",
        1,
        check=html_page_kept,
    ),
    Case("F16", lambda: [raw(HTML_PAGE, "text/html")], commbox.DecodeError, "not JSON", 1),
    Case("F17", lambda: [raw("", "application/json")], commbox.DecodeError, "the answer is empty", 1),
    Case(
        "F18",
        lambda: [{"status": 200, "body_bytes": GIB}],
        commbox.DecodeError,
        "larger than 33554432 bytes",
        1,
        huge=True,
    ),
    Case(
        "F19",
        lambda: [{"status": 200, "body_bytes": GIB, "chunked": True}],
        commbox.DecodeError,
        "larger than 33554432 bytes",
        1,
        huge=True,
    ),
    Case(
        "F20",
        lambda: [{"status": 500, "body_bytes": GIB}],
        commbox.ServerError,
        "HTTP 500",
        1,
        check=body_cut_to_64_kib,
        huge=True,
    ),
    # F21's Location is filled in by the test: it names the other host.
    Case("F21", lambda: [], commbox.BadRequestError, "HTTP 307", 1),
    Case("F22", lambda: [], commbox.TlsError, "TLS handshake failed", 0, site="tls"),
    Case("F23", lambda: [], None, "", 1, site="tls-trusted"),
]


@pytest.fixture(scope="module")
def tls_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    with MockServer(tls_dir=tmp_path_factory.mktemp("tls")) as server:
        yield server


@pytest.fixture
def other_host() -> Iterator[Tuple[str, socket.socket]]:
    """A listening socket that counts as another host (`localhost`, another port): a client
    that followed a redirect there would leave a connection to accept."""
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


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fault_matrix(
    case: Case,
    op: str,
    request: pytest.FixtureRequest,
    other_host: Tuple[str, socket.socket],
) -> None:
    if case.site == "unreachable":
        site = Site(unreachable_url(), None)
    elif case.site.startswith("tls"):
        tls: MockServer = request.getfixturevalue("tls_mock")
        site = prepare(tls)
    else:
        site = prepare(request.getfixturevalue("mock"))
    settings = dict(case.settings)
    if case.site == "tls-trusted":
        assert site.mock is not None and site.mock.cert_file is not None
        settings["ca_file"] = site.mock.cert_file
    faults = case.faults()
    elsewhere, listener = other_host
    if case.id == "F21":
        faults = [{"status": 307, "headers": {"location": f"{elsewhere}/moved"}, "body": ""}]

    requests_before, stored_before = site.counts()
    assert site.mock is not None or not faults
    if site.mock is not None and faults:
        site.mock._call("POST", "/__mock/faults", faults)
    with commbox.Client(api_key=DEFAULT_KEY, base_url=site.url, **settings) as client:
        inbox = client.inbox(site.url, CHATWOOT_INBOX)
        before = peak_rss()
        reset_peak_rss()
        error: Optional[commbox.CommboxError] = None
        try:
            OPS[op](client, inbox, site)
        except commbox.CommboxError as e:
            error = e
        grown = peak_rss() - before
    requests_after, stored_after = site.counts()

    seen, stored = requests_after - requests_before, stored_after - stored_before
    if case.error is None:
        assert error is None, repr(error)
        assert seen == case.seen, "requests the server saw"
        assert stored == 1, "stored exactly once"
        return
    assert type(error) is case.error, repr(error)
    assert error is not None
    assert case.says in error.message, error.message
    assert error.request_id, repr(error)
    assert seen == case.seen, f"requests the server saw: {error!r}"
    if case.id != "F04":
        # F04's create may still be stored by the server after the client gave up; that is
        # the server's business, the client's is not to send it again.
        assert stored == 0, "nothing stored"
    if case.check is not None:
        case.check(error)
    if case.huge:
        assert grown < FLAT, f"peak RSS grew by {grown >> 20} MiB"
    if case.id == "F21":
        assert f"redirect to {elsewhere}/moved" in error.message
        with pytest.raises(BlockingIOError):
            listener.accept()  # the other host was never contacted
