"""Hostile and bad input through the Python face, one parametrized test per case.

The case ids (H01...H89) are those of the Rust, C and CLI suites and of docs/reliability.md.
A refused case raises :class:`commbox.ValidationError` (or TypeError for None) whose
``field`` names the argument, and the mock records no request. A sent case is checked on
the mock: path, query, body, multipart file names, and what it stored.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Type, Union

import pytest
from mock_server import CHATWOOT_HMAC_TOKEN, CHATWOOT_INBOX, DEFAULT_KEY, MockServer

import commbox
from commbox import (
    Attachment,
    ChatConversation,
    EmailConversation,
    NewMessage,
    SmsConversation,
    User,
    WhatsAppTemplateConversation,
)

MB = 1 << 20
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
CONTACT = "hostile-contact"

QUOTES = 'say "hi".txt'
SEMICOLONS = "a;b=c; filename=x.txt"
HEBREW = "חשבונית מס.pdf"
EMOJI = "📎 report 😀.txt"
BACKSLASHES = "C:\\temp\\end\\"
PERCENT = "100%25 sure.txt"
MIXED = 'הצעה "סופית"; v2 😀.txt'
CRLF_IDENTIFIER = "id\r\nX-Evil: 1"
BIG = "x" * MB
BIG_HEBREW = "שלום 😀 " * (MB // 16)


@dataclass
class Ctx:
    """What a case runs with; set-up helpers move ``before`` past their own requests."""

    mock: MockServer
    client: commbox.Client
    inbox: commbox.InboxClient
    dir: Path
    before: int = 0

    def mark(self) -> None:
        self.before = len(self.mock.requests())

    def object(self) -> int:
        """A CommBox conversation to post into."""
        object_id = self.client.create_sms_conversation("s", "972544444444", "start")
        self.mark()
        return object_id

    def conversation(self) -> int:
        """The Chatwoot contact CONTACT with a conversation to post into."""
        self.inbox.create_contact(source_id=CONTACT)
        conversation_id = self.inbox.create_conversation(CONTACT).id
        self.mark()
        return conversation_id

    def post(self, content: str = "", **options: Any) -> commbox.ChatwootMessage:
        return self.inbox.create_message(CONTACT, self.conversation(), content, **options)

    def file(self, name: Union[str, bytes], content: bytes = b"x") -> str:
        path = os.path.join(os.fsencode(self.dir), os.fsencode(name))
        with open(path, "wb") as f:
            f.write(content)
        return os.fsdecode(path)

    def client_with(self, **settings: Any) -> commbox.Client:
        settings.setdefault("api_key", DEFAULT_KEY)
        settings.setdefault("base_url", self.mock.url)
        return commbox.Client(**settings)

    def sms(self, message: str = "m", stream: Any = "s", **options: Any) -> int:
        return self.client.create_sms_conversation(stream, "972544444444", message, **options)

    def sent(self) -> List[Dict[str, Any]]:
        return self.mock.requests()[self.before :]

    def only(self) -> Dict[str, Any]:
        (request,) = self.sent()
        return request

    def data(self) -> Any:
        request = self.only()
        return request["json"]["data"] if request["content_type"] == "application/json" else request["json"]

    def last_object(self) -> Dict[str, Any]:
        stored: Dict[str, Any] = self.mock.objects()[-1]
        return stored

    def last_chatwoot_message(self) -> Dict[str, Any]:
        conversation = self.mock.chatwoot(CHATWOOT_INBOX)["conversations"][-1]
        message: Dict[str, Any] = conversation["messages"][-1]
        return message

    def file_names(self) -> List[str]:
        return [p["filename"] for p in self.only()["parts"] if p["filename"] is not None]


Call = Callable[[Ctx], Any]
Check = Callable[[Ctx], None]


@dataclass
class Case:
    id: str
    call: Call
    field: Optional[str] = None
    """Refused: the field the error names (None: sent)."""
    error: Optional[Type[Exception]] = commbox.ValidationError
    """Refused: the exception class; sent: the class of the server's answer (None: OK)."""
    check: Optional[Check] = None


def refused(id: str, field: str, call: Call, error: Type[Exception] = commbox.ValidationError) -> Case:
    return Case(id, call, field=field, error=error)


def sent(id: str, call: Call, check: Check, answer: Optional[Type[Exception]] = None) -> Case:
    return Case(id, call, error=answer, check=check)


def stream_case(id: str, given: str, path: str, stored: str) -> Case:
    def check(c: Ctx) -> None:
        assert c.only()["path"] == path
        assert c.last_object()["stream_id"] == stored

    return sent(id, lambda c: c.sms(stream=given), check)


def name_case(id: str, name: str) -> Case:
    def check(c: Ctx) -> None:
        assert c.file_names() == [name]
        assert c.last_object()["attachments"][0]["name"] == name

    return sent(id, lambda c: c.sms("see file", attachments=[(name, b"named")]), check)


def check_h14(c: Ctx) -> None:
    assert c.only()["json"] == {"content": ""}
    assert c.last_chatwoot_message()["content"] == ""


def check_h16(c: Ctx) -> None:
    assert c.data()["Message"] == BIG
    assert c.last_object()["data"]["Message"] == BIG


def check_h17(c: Ctx) -> None:
    assert c.data()["Message"] == BIG_HEBREW
    assert c.last_object()["children"][-1]["data"]["Message"] == BIG_HEBREW


def check_h19(c: Ctx) -> None:
    assert c.only()["json"]["content"] == "é" * 150_000
    assert c.last_chatwoot_message()["content"] == "é" * 150_000


def check_h23(c: Ctx) -> None:
    assert c.data()["User"]["Remarks"] == BIG_HEBREW
    assert c.last_object()["data"]["User"]["Remarks"] == BIG_HEBREW


def check_h25(c: Ctx) -> None:
    want = "a\0b\x01\x1b[31mc\x7f"
    assert c.data()["Message"] == want
    assert c.last_object()["data"]["Message"] == want


def h36(c: Ctx) -> Any:
    try:
        return c.client_with(api_key="secret\r\nX-Evil: 1")
    except commbox.ValidationError as e:
        assert "secret" not in f"{e} {e!r}", "the key is never echoed"
        raise


def h45(c: Ctx) -> Any:
    c.conversation()
    digest = commbox.chatwoot_identifier_hash(CRLF_IDENTIFIER, CHATWOOT_HMAC_TOKEN)
    return c.inbox.get_contact(CONTACT, identifier=CRLF_IDENTIFIER, identifier_hash=digest)


def check_h45(c: Ctx) -> None:
    request = c.only()
    digest = commbox.chatwoot_identifier_hash(CRLF_IDENTIFIER, CHATWOOT_HMAC_TOKEN)
    assert request["path"] == f"/public/api/v1/inboxes/{CHATWOOT_INBOX}/contacts/{CONTACT}"
    assert request["query"] == f"identifier=id%0D%0AX-Evil%3A+1&identifier_hash={digest}"
    assert "x-evil" not in request["headers"]
    (contact,) = c.mock.chatwoot(CHATWOOT_INBOX)["contacts"]
    assert contact["hmac_verified"], "the identifier arrived byte for byte"


def check_h47(c: Ctx) -> None:
    assert c.only()["json"]["content"] == "line 1\r\nline 2\n"
    assert c.last_chatwoot_message()["content"] == "line 1\r\nline 2\n"


SOURCE_ID = "a/b ?#%25 שלום 😀"


def h70(c: Ctx) -> Any:
    created = c.inbox.create_contact(source_id=SOURCE_ID)
    c.mark()
    got = c.inbox.get_contact(SOURCE_ID)
    assert (got.id, got.source_id) == (created.id, SOURCE_ID)


def check_h70(c: Ctx) -> None:
    assert c.only()["path"] == (
        f"/public/api/v1/inboxes/{CHATWOOT_INBOX}/contacts/"
        "a%2Fb%20%3F%23%2525%20%D7%A9%D7%9C%D7%95%D7%9D%20%F0%9F%98%80"
    )


def check_h78(c: Ctx) -> None:
    (part,) = [p for p in c.only()["parts"] if p["name"] == "file"]
    assert (part["filename"], part["size"]) == ("empty.txt", 0)
    stored = c.last_object()["attachments"][0]
    assert (stored["size"], stored["sha256"]) == (0, EMPTY_SHA256)


def check_h79(c: Ctx) -> None:
    (part,) = [p for p in c.only()["parts"] if p["name"] == "file"]
    assert part["filename"] is None, "the base64 form is a text field"
    assert part["sha256"] == hashlib.sha256(b"filename:empty.txt;base64:").hexdigest()
    stored = c.last_object()["children"][-1]["attachments"][0]
    assert (stored["name"], stored["size"]) == ("empty.txt", 0)


def check_h80(c: Ctx) -> None:
    assert c.file_names() == ["empty.txt"]
    stored = c.last_chatwoot_message()["attachments"][0]
    assert (stored["name"], stored["size"]) == ("empty.txt", 0)


def check_h83(c: Ctx) -> None:
    (part,) = [p for p in c.only()["parts"] if p["name"] == "file"]
    assert (part["filename"], part["content_type"]) == (HEBREW, "application/pdf")
    assert c.last_object()["attachments"][0]["name"] == HEBREW


CHATWOOT_NAMES = [QUOTES, SEMICOLONS, HEBREW, EMOJI, MIXED]


def check_h87(c: Ctx) -> None:
    assert c.file_names() == CHATWOOT_NAMES
    stored = [(a["name"], a["sha256"]) for a in c.last_chatwoot_message()["attachments"]]
    assert stored == [(n, hashlib.sha256(n.encode()).hexdigest()) for n in CHATWOOT_NAMES]


def check_h88(c: Ctx) -> None:
    stored = c.last_object()["children"][-1]["attachments"][0]
    assert (stored["name"], stored["sha256"]) == (MIXED, hashlib.sha256(b"base64 me").hexdigest())


def not_found_path(path: str) -> Check:
    def check(c: Ctx) -> None:
        assert c.only()["path"] == path

    return check


def with_files(c: Ctx) -> Dict[str, str]:
    """The files on disk the attachment cases send."""
    fifo = str(c.dir / "pipe")
    os.mkfifo(fifo)
    return {
        "empty": c.file("empty.txt", b""),
        "not_utf8": c.file(b"bad\xffname.txt"),
        "fifo": fifo,
        "missing": str(c.dir / "missing.pdf"),
        "dir": str(c.dir),
    }


CASES: List[Case] = [
    # --- empty and whitespace-only strings ---------------------------------------------------
    refused("H01", "Message", lambda c: c.sms("")),
    refused("H02", "Message", lambda c: c.client.create_conversation("s", ChatConversation("a@b.co", " \t\n "))),
    refused("H03", "Message", lambda c: c.client.create_customer_message("s", c.object(), "a@b.co", "   ")),
    refused("H04", "stream_id", lambda c: c.sms(stream="")),
    refused("H05", "stream_id", lambda c: c.sms(stream="   ")),
    refused("H06", "UserStreamProviderId", lambda c: c.client.create_sms_conversation("s", "", "m")),
    refused(
        "H07",
        "Content.whatsapp_hsm_name",
        lambda c: c.client.create_conversation("s", WhatsAppTemplateConversation("972544444444", " \t", "m")),
    ),
    refused("H08", "api_key", lambda c: c.client_with(api_key="")),
    refused("H09", "api_key", lambda c: c.client_with(api_key=" \t ")),
    refused("H10", "inbox_identifier", lambda c: c.client.inbox(c.mock.url, "")),
    refused("H11", "contact_identifier", lambda c: c.inbox.get_contact("  ")),
    refused("H12", "name", lambda c: c.inbox.create_contact(name=" \n ")),
    refused("H13", "echo_id", lambda c: c.post("hi", echo_id="  ")),
    sent("H14", lambda c: c.post(""), check_h14),
    refused("H15", 'attachment "  "', lambda c: c.sms(attachments=[("  ", b"x")])),
    # --- 1 MB strings ---------------------------------------------------------------------------
    sent("H16", lambda c: c.sms(BIG), check_h16),
    sent(
        "H17",
        lambda c: c.client.create_agent_message("s", c.object(), 36574658, "agent@commbox.com", BIG_HEBREW),
        check_h17,
    ),
    refused("H18", "content", lambda c: c.post(BIG)),
    sent("H19", lambda c: c.post("é" * 150_000), check_h19),
    refused("H20", "stream_id", lambda c: c.sms(stream=BIG)),
    refused("H21", "contact_identifier", lambda c: c.inbox.get_contact(BIG)),
    refused("H22", "api_key", lambda c: c.client_with(api_key=BIG)),
    sent("H23", lambda c: c.sms(user=User(remarks=BIG_HEBREW)), check_h23),
    name_case("H24", "n" * MB + ".txt"),
    # --- control characters ---------------------------------------------------------------------
    sent("H25", lambda c: c.sms("a\0b\x01\x1b[31mc\x7f"), check_h25),
    refused("H26", "stream_id", lambda c: c.sms(stream="s\x01")),
    refused("H27", "stream_id", lambda c: c.sms(stream="s\tt")),
    refused("H28", "contact_identifier", lambda c: c.inbox.get_contact("c\x1b[0m")),
    refused("H29", 'attachment "a\\u{1}b.txt"', lambda c: c.sms(attachments=[("a\x01b.txt", b"x")])),
    refused("H30", 'attachment "a\\u{7f}b.txt"', lambda c: c.post("m", attachments=[("a\x7fb.txt", b"x")])),
    name_case("H31", "tab\there.txt"),
    refused("H32", "api_key", lambda c: c.client_with(api_key="k\x01ey")),
    refused("H33", "user_agent_suffix", lambda c: c.client_with(user_agent="app/1\x01")),
    refused(
        "H34",
        "base_url",
        lambda c: c.client_with(base_url="{}:1\n{}".format(*c.mock.url.rsplit(":", 1))),
    ),
    refused("H35", "stream_id", lambda c: c.sms(stream="s\0t")),
    # --- CR/LF in values bound for a header ------------------------------------------------------
    refused("H36", "api_key", h36),
    refused("H37", "api_key", lambda c: c.client_with(api_key="key-from-a-file\n")),
    refused("H38", "user_agent_suffix", lambda c: c.client_with(user_agent="app/1\r\nX-Evil: 1")),
    refused(
        "H39",
        'attachment "a\\r\\nX-Evil: 1.txt"',
        lambda c: c.client.create_customer_message(
            "s", c.object(), "a@b.co", "m", attachments=[("a\r\nX-Evil: 1.txt", b"x")]
        ),
    ),
    refused(
        "H40",
        'attachment "a.txt"',
        lambda c: c.sms(attachments=[Attachment(b"x", name="a.txt", content_type="text/plain\r\nX-Evil: 1")]),
    ),
    refused(
        "H41",
        "Content.subject",
        lambda c: c.client.create_email_conversation("s", "a@b.co", "Hi\r\nBcc: x@evil.example", "m"),
    ),
    refused(
        "H42",
        "Content.to[0].name",
        lambda c: c.client.create_conversation(
            "s", EmailConversation("a@b.co", "Hi", "m", to=[("a@b.co", "A\r\nBcc: x@evil.example")])
        ),
    ),
    refused(
        "H43",
        "UserStreamProviderId",
        lambda c: c.client.create_email_conversation("s", "a@b.co\r\nBcc: x@evil.example", "Hi", "m"),
    ),
    refused("H44", "proxy", lambda c: c.client_with(proxy="http://proxy:3128\r\nX: 1")),
    sent("H45", h45, check_h45),
    refused("H46", "email", lambda c: c.inbox.create_contact(email="a@b.co\r\nBcc: x@evil.example")),
    sent("H47", lambda c: c.post("line 1\r\nline 2\n"), check_h47),
    # --- text that is not UTF-8 (a str with lone surrogates) and None -----------------------------
    refused("H48", "stream_id", lambda c: c.sms(stream="s\udcff")),
    refused("H49", "message", lambda c: c.sms("caf\udce9")),
    refused("H50", "api_key", lambda c: c.client_with(api_key="k\udcff")),
    # os.fsdecode's str for a file name that is not UTF-8: the path reaches the file, and
    # the name it would be stored under is refused.
    refused("H51", 'attachment "{dir}/bad\ufffdname.txt"', lambda c: c.sms(attachments=[with_files(c)["not_utf8"]])),
    refused("H52", "message", lambda c: c.sms(None), error=TypeError),  # type: ignore[arg-type]
    refused("H53", 'attachment "a\\0b.txt"', lambda c: c.sms(attachments=["a\0b.txt"])),
    # --- ids -----------------------------------------------------------------------------------
    stream_case("H54", "a/b", "/streams/a%2Fb/objects", "a/b"),
    refused("H55", "stream_id", lambda c: c.sms(stream="..")),
    refused("H56", "stream_id", lambda c: c.sms(stream="%2e%2E")),
    stream_case("H57", "x?y#z", "/streams/x%3Fy%23z/objects", "x?y#z"),
    stream_case("H58", "50%off", "/streams/50%25off/objects", "50%off"),
    stream_case("H59", "a b=", "/streams/a%20b%3D/objects", "a b="),
    stream_case("H60", "שלום 😀", "/streams/%D7%A9%D7%9C%D7%95%D7%9D%20%F0%9F%98%80/objects", "שלום 😀"),
    stream_case(
        "H61",
        "hNyRN_fLUy7rrOrN9jLpipA%3d%3d",
        "/streams/hNyRN_fLUy7rrOrN9jLpipA%3D%3D/objects",
        "hNyRN_fLUy7rrOrN9jLpipA==",
    ),
    sent(
        "H62",
        lambda c: c.client.create_customer_message("s", "1/../../managers", "a@b.co", "m"),
        not_found_path("/streams/s/objects/1%2F..%2F..%2Fmanagers/child"),
        answer=commbox.NotFoundError,
    ),
    refused("H63", "object_id", lambda c: c.client.create_customer_message("s", 0, "a@b.co", "m")),
    refused("H64", "object_id", lambda c: c.client.get_conversation("s", -1)),
    sent(
        "H65",
        lambda c: c.client.get_conversation("s", "7?includeChilds=false#x"),
        not_found_path("/streams/s/objects/7%3FincludeChilds%3Dfalse%23x"),
        answer=commbox.NotFoundError,
    ),
    refused("H66", "object_id", lambda c: c.client.set_conversation_status("..", "resolved")),
    refused("H67", "path", lambda c: c.client.raw_request("GET", "/streams/%2e%2e/managers")),
    refused("H68", "path", lambda c: c.client.raw_request("GET", "//evil.example/x")),
    sent(
        "H69",
        lambda c: c.client.inbox(c.mock.url, "a/b?c").inbox(),
        not_found_path("/public/api/v1/inboxes/a%2Fb%3Fc"),
        answer=commbox.NotFoundError,
    ),
    sent("H70", h70, check_h70),
    refused("H71", "contact_identifier", lambda c: c.inbox.get_contact("..")),
    sent(
        "H72",
        lambda c: c.inbox.get_contact("0"),
        not_found_path(f"/public/api/v1/inboxes/{CHATWOOT_INBOX}/contacts/0"),
        answer=commbox.NotFoundError,
    ),
    refused("H73", "conversation_id", lambda c: c.inbox.create_message(CONTACT, 0, "m")),
    # --- attachment paths ------------------------------------------------------------------------
    refused("H74", 'attachment "{dir}/missing.pdf"', lambda c: c.sms(attachments=[with_files(c)["missing"]])),
    refused("H75", 'attachment "{dir}"', lambda c: c.post("m", attachments=[with_files(c)["dir"]])),
    refused(
        "H77",
        'attachment "{dir}/pipe"',
        lambda c: c.client.create_customer_message("s", c.object(), "a@b.co", "m", attachments=[with_files(c)["fifo"]]),
    ),
    sent("H78", lambda c: c.sms(attachments=[with_files(c)["empty"]]), check_h78),
    sent(
        "H79",
        lambda c: c.client.create_customer_message(
            "s", c.object(), "a@b.co", attachments=[with_files(c)["empty"]], attachments_as_base64=True
        ),
        check_h79,
    ),
    sent("H80", lambda c: c.post(attachments=[with_files(c)["empty"]]), check_h80),
    # --- file names ------------------------------------------------------------------------------
    name_case("H81", QUOTES),
    name_case("H82", SEMICOLONS),
    sent(
        "H83",
        lambda c: c.client.create_email_conversation("s", "a@b.co", "invoice", "attached", attachments=[(HEBREW, b"%PDF")]),
        check_h83,
    ),
    name_case("H84", EMOJI),
    name_case("H85", BACKSLASHES),
    name_case("H86", PERCENT),
    sent("H87", lambda c: c.post("files", attachments=[(n, n.encode()) for n in CHATWOOT_NAMES]), check_h87),
    sent(
        "H88",
        lambda c: c.client.create_customer_message(
            "s", c.object(), "a@b.co", attachments=[(MIXED, b"base64 me")], attachments_as_base64=True
        ),
        check_h88,
    ),
]


@pytest.fixture
def ctx(mock: MockServer, client: commbox.Client, inbox: commbox.InboxClient) -> Iterator[Ctx]:
    # Searchable by the unprivileged user of H76, so that only the file itself is not.
    work = Path(tempfile.mkdtemp(prefix="commbox-hostile-"))
    os.chmod(work, 0o755)
    try:
        yield Ctx(mock, client, inbox, work)
    finally:
        shutil.rmtree(work)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(ctx: Ctx, case: Case) -> None:
    if case.field is not None:
        assert case.error is not None
        with pytest.raises(case.error) as e:
            case.call(ctx)
        field = case.field.replace("{dir}", str(ctx.dir))
        if isinstance(e.value, commbox.ValidationError):
            assert e.value.field == field
            assert str(e.value).startswith(f"{field}: ")
        else:
            assert str(e.value).startswith(f"{field}: ")
        assert ctx.sent() == [], "nothing may be sent"
        return
    if case.error is None:
        case.call(ctx)
    else:
        with pytest.raises(case.error):
            case.call(ctx)
    assert ctx.sent(), "nothing was sent"
    assert case.check is not None
    case.check(ctx)


def test_the_case_ids_are_unique_and_enough() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 40


def test_h76_an_unreadable_file_is_refused(ctx: Ctx) -> None:
    secret = ctx.file("secret.txt", b"secret")
    os.chmod(secret, 0)
    # Root reads any file whatever its mode: the check runs as uid 65534 (nobody).
    dropped = os.geteuid() == 0
    if dropped:
        os.seteuid(65534)
    try:
        with pytest.raises(commbox.ValidationError) as e:
            ctx.sms(attachments=[secret])
    finally:
        if dropped:
            os.seteuid(0)
    assert e.value.field == f'attachment "{secret}"'
    assert "cannot read: Permission denied" in str(e.value)
    assert ctx.sent() == []


def test_h89_a_variable_that_is_not_utf8_is_named(ctx: Ctx, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(os.environb, b"COMMBOX_PROXY", b"http://proxy\xff:3128")
    with pytest.raises(commbox.ValidationError) as e:
        commbox.Client(api_key=DEFAULT_KEY, base_url=ctx.mock.url)
    assert e.value.field == "proxy (COMMBOX_PROXY)"
    assert str(e.value) == "proxy (COMMBOX_PROXY): is not valid UTF-8"
    assert ctx.sent() == []
