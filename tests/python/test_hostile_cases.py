"""Hostile and bad input (docs/reliability.md), Python face: one test per case of
tests/cases/hostile.json that applies to this face (ids = case ids). A refused case raises
the error of the kind the table names (a ValidationError unless it says) whose ``field`` is
given, and sends nothing; a
sent case is checked on the mock: what it recorded and stored is what the table says. A
received webhook delivery (its body given as bytes: UTF-8 for a text) is rejected with the
error of the kind named, whose message starts with the part at fault, or parsed into the
event the checks describe.

How this face receives a table's values: bytes that are not UTF-8 as the ``str`` the OS
would give (``os.fsdecode``: lone surrogates); an attachment given by name and content as
``(name, bytes)`` (or ``Attachment(bytes, name=, content_type=)``), one given by path as a
path. H52 (None for a required string) is this face's own case, at the end.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import case_table
import pytest
from case_table import Args, Places
from mock_server import CHATWOOT_INBOX, DEFAULT_KEY, MockServer

import commbox
from commbox import (
    Attachment,
    ChatConversation,
    EmailConversation,
    NewMessage,
    SmsConversation,
    User,
    WhatsAppTemplateConversation,
    webhooks,
)

TABLE = case_table.load("hostile.json")
CASES = case_table.cases_here(TABLE)
FIXTURE = TABLE["fixture"]

#: The error kinds a call may be refused or answered with, as this face's classes.
REFUSALS = {"validation": commbox.ValidationError, "io": commbox.FileError}
ANSWERS = {"not_found": commbox.NotFoundError}
#: The error kinds received data (a webhook delivery) is rejected with.
RECEIVED_ERRORS = {"decode": commbox.DecodeError, "authentication": commbox.AuthenticationError}


class Ctx:
    """The mock (emptied before each case), the fixture the case needs, a directory."""

    def __init__(self, mock: MockServer, dir: Path, case: Dict[str, Any]) -> None:
        mock.reset()
        self.mock = mock
        self.client = commbox.Client(api_key=DEFAULT_KEY, base_url=mock.url, timeout=10)
        self.inbox = self.client.inbox(mock.url, FIXTURE["inbox"])
        port = int(mock.url.rsplit(":", 1)[1])
        self.places = Places(str(dir), port, 0, FIXTURE["contact"], 0)
        # The fixture, made only when the case uses it (each costs requests).
        text = json.dumps([case_table.with_defaults(TABLE, case["call"]), case["expect"]])
        if "{object}" in text or '"message/' in text:
            self.places.object = self.client.create_sms_conversation(
                FIXTURE["stream"], FIXTURE["phone"], FIXTURE["message"]
            )
        if any(k in text for k in ("{contact}", "{conversation}", '"chatwoot_message/', '"contact/')):
            self.inbox.create_contact(source_id=FIXTURE["contact"])
            self.places.conversation = self.inbox.create_conversation(FIXTURE["contact"]).id

    def close(self) -> None:
        self.inbox.close()
        self.client.close()


@pytest.fixture(scope="module")
def work() -> Iterator[Path]:
    # Searchable by the unprivileged user of H76, so that only the file itself is not.
    path = Path(tempfile.mkdtemp(prefix="commbox-hostile-"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path)


def attachment(spec: Dict[str, Any], places: Places) -> Any:
    if "path" in spec:
        return case_table.as_str(case_table.text(spec["path"], places))
    name = case_table.as_str(case_table.text(spec["name"], places))
    content = case_table.text(spec["content"], places)
    data = content.encode() if isinstance(content, str) else content
    if "content_type" in spec:
        content_type = case_table.as_str(case_table.text(spec["content_type"], places))
        return Attachment(data, name=name, content_type=content_type)
    return (name, data)


def attachments(args: Args) -> List[Any]:
    return [attachment(a, args.places) for a in args.list("attachments")]


def text_of(value: Any, c: Ctx) -> str:
    return case_table.as_str(case_table.text(value, c.places))


def common_options(args: Args) -> Dict[str, Any]:
    options: Dict[str, Any] = {"attachments": attachments(args)}
    remarks = args.text("user_remarks")
    if remarks is not None:
        options["user"] = User(remarks=remarks)
    return options


def call(c: Ctx, args: Args) -> Any:
    """Makes the call through this face; the record it returns, as a dict, if any."""
    op = args.must("op")
    if op == "conversation":
        identity, message, channel = args.must("identity"), args.must("message"), args.must("channel")
        subject = args.must("subject")  # a default of every conversation: only e-mail uses it
        conversation: Any
        if channel == "sms":
            conversation = SmsConversation(identity, message, **common_options(args))
        elif channel == "chat":
            conversation = ChatConversation(identity, message, **common_options(args))
        elif channel == "whatsapp_template":
            template = args.must("template")
            conversation = WhatsAppTemplateConversation(identity, template, message, **common_options(args))
        elif channel == "email":
            to = [(text_of(t["address"], c), text_of(t["name"], c)) for t in args.list("to")]
            conversation = EmailConversation(identity, subject, message, to=to, **common_options(args))
        else:
            raise AssertionError(f"channel {channel}")
        return c.client.create_conversation(args.must("stream"), conversation)
    if op == "message":
        identity, text, sender = args.must("identity"), args.must("message"), args.must("from")
        files, as_base64 = attachments(args), bool(args.get("base64"))
        if sender == "customer":
            new = NewMessage.from_customer(identity, text, attachments=files, attachments_as_base64=as_base64)
        else:
            assert sender == "agent", sender
            agent = int(args.get("agent_id"))
            new = NewMessage.from_agent(agent, identity, text, attachments=files, attachments_as_base64=as_base64)
        return c.client.create_message(args.must("stream"), args.ident("object"), new)
    if op == "get_conversation":
        return c.client.get_conversation(args.must("stream"), args.ident("object"))
    if op == "set_status":
        return c.client.set_conversation_status(args.ident("object"), args.must("status"))
    if op == "raw_request":
        return c.client.raw_request(args.must("method"), args.must("path"))
    if op == "client":
        settings = {"api_key": DEFAULT_KEY, "base_url": c.mock.url}
        names = {"api_key": "api_key", "base_url": "base_url", "proxy": "proxy", "user_agent_suffix": "user_agent"}
        for key, name in names.items():
            value = args.text(key)
            if value is not None:
                settings[name] = value
        commbox.Client(**settings).close()  # type: ignore[arg-type]
        return None
    if op == "client_from_env":
        variables: Dict[bytes, bytes] = {}
        for var, spec in args.get("env").items():
            given = case_table.text(spec, c.places)
            variables[var.encode()] = given.encode() if isinstance(given, str) else given
        saved = {var: os.environb.get(var) for var in variables}
        try:
            os.environb.update(variables)
            commbox.Client(api_key=DEFAULT_KEY, base_url=c.mock.url).close()
        finally:
            for var, old in saved.items():
                if old is None:
                    del os.environb[var]
                else:
                    os.environb[var] = old
        return None
    if op == "inbox":
        return c.client.inbox(c.mock.url, args.must("inbox")).inbox()
    if op == "get_contact":
        found = c.inbox.get_contact(
            args.must("contact"), identifier=args.text("identifier"), identifier_hash=args.text("identifier_hash")
        )
        return dataclasses.asdict(found)
    if op == "create_contact":
        fields = {k: args.text(k) for k in ("name", "email") if args.text(k) is not None}
        made = c.inbox.create_contact(source_id=args.text("source_id"), **fields)  # type: ignore[arg-type]
        return dataclasses.asdict(made)
    if op == "chatwoot_message":
        echo = args.text("echo_id")
        conversation_id = args.ident("conversation")
        return c.inbox.create_message(
            args.must("contact"),
            conversation_id,  # type: ignore[arg-type]
            args.must("message"),
            echo_id=echo,
            attachments=attachments(args),
        )
    if op == "commbox_delivery":
        body = case_table.as_bytes(case_table.text(args.get("body"), c.places))
        return dataclasses.asdict(webhooks.parse_commbox_delivery(body, args.text("content_type")))
    if op == "chatwoot_webhook":
        body = case_table.as_bytes(case_table.text(args.get("body"), c.places))
        headers = case_table.chatwoot_headers(args, body)
        return dataclasses.asdict(webhooks.verify_chatwoot(body, headers, args.must("secret")))
    raise AssertionError(f"no such call in this face: {op}")


def make_files(call: Dict[str, Any], places: Places) -> None:
    for spec in call.get("files", []):
        name = case_table.text(spec["name"], places)
        path = os.path.join(os.fsencode(places.dir), name.encode() if isinstance(name, str) else name)
        if os.path.lexists(path):
            os.remove(path)
        if spec.get("fifo"):
            os.mkfifo(path)
        else:
            content = case_table.text(spec["content"], places)
            with open(path, "wb") as f:
                f.write(content.encode() if isinstance(content, str) else content)
        if "mode" in spec:
            os.chmod(path, spec["mode"])


def root(c: Ctx, name: str, during: List[Dict[str, Any]], result: Any) -> Any:
    """The record a check starts from (see tests/cases/README.md)."""
    if name == "request":
        if len(during) != 1:
            raise LookupError(f"{len(during)} requests were sent, want 1")
        return during[0]
    if name == "result":
        return result
    if name in ("object", "message"):
        objects = c.mock.objects()
        if name == "object":
            return objects[-1] if objects else _missing(name)
        for o in objects:
            if o["id"] == c.places.object and o["children"]:
                return o["children"][-1]
        return _missing(name)
    inbox = c.mock.chatwoot(CHATWOOT_INBOX)
    if name == "chatwoot_message":
        for conversation in inbox["conversations"]:
            if conversation["id"] == c.places.conversation and conversation["messages"]:
                return conversation["messages"][-1]
        return _missing(name)
    assert name == "contact", name
    for contact in inbox["contacts"]:
        if contact["source_id"] == c.places.contact:
            return contact
    return _missing(name)


def _missing(name: str) -> Any:
    raise LookupError(f"no {name} stored")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_hostile_case(case: Dict[str, Any], mock_server: MockServer, work: Path) -> None:
    c = Ctx(mock_server, work, case)
    try:
        problems = run_case(c, case)
    finally:
        c.close()
    assert not problems, f"{case['id']} ({case['what']}):\n" + "\n".join(problems)


def run_case(c: Ctx, case: Dict[str, Any]) -> List[str]:
    call_map = case_table.with_defaults(TABLE, case["call"])
    make_files(call_map, c.places)
    for setup in call_map.get("setup", []):
        call(c, Args(case_table.with_defaults(TABLE, setup), c.places))
    before = len(c.mock.requests())
    args = Args(call_map, c.places)
    # Root reads any file whatever its mode: such a case runs as uid 65534 (nobody).
    drop = bool(call_map.get("as_nobody")) and os.geteuid() == 0
    error: Optional[BaseException] = None
    result: Any = None
    if drop:
        os.seteuid(65534)
    try:
        result = call(c, args)
    except (commbox.CommboxError, TypeError) as e:
        error = e
    finally:
        if drop:
            os.seteuid(0)
    during = c.mock.requests()[before:]
    problems = case_table.unknown_in_hostile_case(case)
    if args.unused():
        problems.append(f"arguments this face does not use: {args.unused()}")
    expect = case_table.expect_here(case)
    if "refused" in expect:
        field = c.places.fill(expect["refused"])
        want = REFUSALS[expect.get("kind", "validation")]
        if type(error) is not want:
            problems.append(f"{error!r}, want a {want.__name__} naming {field!r}")
        else:
            if getattr(error, "field", None) != field:
                problems.append(f"field {getattr(error, 'field', None)!r}, want {field!r}")
            if not str(error).startswith(f"{field}: "):
                problems.append(f"the message does not start with the field: {error}")
        problems += case_table.message_problems(expect, error)
        if during:
            problems.append(f"{len(during)} requests were sent")
        return problems
    if "rejected" in expect:
        problems += case_table.judge_rejected(expect, error, RECEIVED_ERRORS[expect["kind"]])
        if during:
            problems.append(f"{len(during)} requests were sent")
        return problems
    if "parsed" in expect:
        if error is not None:
            return [f"failed: {error!r}"]
        decoded = case_table.decoded(call_map, c.places)
        return problems + case_table.run_checks(expect["checks"], decoded, lambda name: root(c, name, during, result))
    answer = expect["sent"]
    if answer == "ok" and error is not None:
        return [f"failed: {error!r}"]
    if answer != "ok" and type(error) is not ANSWERS[answer]:
        return [f"{error!r}, want {answer}"]
    if not during:
        return ["nothing was sent"]
    decoded = case_table.decoded(call_map, c.places)
    return problems + case_table.run_checks(expect["checks"], decoded, lambda name: root(c, name, during, result))


def test_h52_none_for_a_required_string(mock_server: MockServer) -> None:
    """H52, this face's own case: None where a string is required is a ValidationError
    naming the argument (the core reads the request and says what it expected), and nothing
    is sent."""
    mock_server.reset()
    with commbox.Client(api_key=DEFAULT_KEY, base_url=mock_server.url) as client:
        with pytest.raises(commbox.ValidationError) as e:
            client.create_sms_conversation("s", "972544444444", None)  # type: ignore[arg-type]
    assert e.value.field == "message", str(e.value)
    assert str(e.value).startswith("message: invalid type: null, expected a string"), str(e.value)
    assert mock_server.requests() == []
