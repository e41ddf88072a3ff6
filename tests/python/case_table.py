"""The case table (tests/cases/faults.json and hostile.json, format in tests/cases/README.md)
as the Python runners read it: the cases of this face, their values and placeholders, and
the checks on what the mock recorded and stored. Only how this face makes its calls lives
in the runners (test_fault_cases.py, test_hostile_cases.py)."""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import json
import os
import re
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set, Union

REPO = Path(__file__).resolve().parents[2]
FACE = "python"


def load(name: str) -> Dict[str, Any]:
    table: Dict[str, Any] = json.loads((REPO / "tests" / "cases" / name).read_text(encoding="utf-8"))
    return table


def face_part(case: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """This face's overrides of a case ({} when none); None when the case is n/a here."""
    part = case.get(FACE, {})
    if isinstance(part, str):
        return None
    assert isinstance(part, dict), part
    return part


#: The keys a runner knows, by what holds them; a key outside them fails the case, so that
#: nothing in the table is ignored unnoticed.
FAULT_CASE_KEYS = {"id", "what", "site", "faults", "client", "expect", "note"}
FAULT_CLIENT_KEYS = {"timeout_ms", "ca_file"}
FAULT_EXPECT_KEYS = {
    "outcome", "retry_safety", "says", "maybe_processed", "requests", "stored", "attempts", "retry_after",
    "http_status", "description", "body", "memory", "other_host",
}
HOSTILE_CASE_KEYS = {"id", "what", "call", "expect", "rust", "c", "python", "cli"}
REFUSED_KEYS = {"refused", "kind", "message_has", "message_lacks"}
SENT_KEYS = {"sent", "checks"}
#: Received data refused (a webhook delivery): ``rejected`` names the part at fault (``body``,
#: a header), which the message starts with; the error's field stays None.
REJECTED_KEYS = {"rejected", "kind", "message_has", "message_lacks"}
#: Received data read: ``checks`` on ``result``, the event's JSON form; nothing is sent.
PARSED_KEYS = {"parsed", "checks"}
CHECK_KEYS = {"at", "is", "absent"}


def unknown_keys(what: str, value: Any, known: Set[str]) -> List[str]:
    return [f"{what}: {k}: not known to this runner" for k in (value or {}) if k not in known]


def unknown_in_hostile_case(case: Dict[str, Any]) -> List[str]:
    expect = case["expect"]
    p = unknown_keys("case", case, HOSTILE_CASE_KEYS)
    if "refused" in expect:
        known = REFUSED_KEYS
    elif "rejected" in expect:
        known = REJECTED_KEYS
    elif "parsed" in expect:
        known = PARSED_KEYS
    else:
        known = SENT_KEYS
    p += unknown_keys("expect", expect, known)
    for check in expect.get("checks", []):
        p += unknown_keys("check", check, CHECK_KEYS)
    return p


def expect_here(case: Dict[str, Any]) -> Dict[str, Any]:
    """A case's ``expect`` as this face sees it: its part may replace the refused ``field``
    and ``kind``, ``message_has`` and ``message_lacks``."""
    expect = dict(case["expect"])
    for key, value in (face_part(case) or {}).items():
        if key == "field":
            expect["refused"] = value
        elif key in ("kind", "message_has", "message_lacks"):
            expect[key] = value
    return expect


def cases_here(table: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The cases that apply to this face, in table order."""
    return [c for c in table["cases"] if face_part(c) is not None]


# --- values -------------------------------------------------------------------------------


class Places:
    """What the placeholders of a hostile case stand for."""

    def __init__(self, dir: str, mock_port: int, object: int, contact: str, conversation: int) -> None:
        self.dir = dir
        self.mock_port = mock_port
        self.object = object
        self.contact = contact
        self.conversation = conversation

    def fill(self, text: str) -> str:
        for name in ("dir", "mock_port", "object", "contact", "conversation"):
            text = text.replace("{" + name + "}", str(getattr(self, name)))
        return text


def unescape_bytes(text: str) -> bytes:
    """``{"bytes": "s\\\\xff"}``: the text with each ``\\xHH`` as that byte."""
    out = bytearray()
    i = 0
    while i < len(text):
        if text.startswith("\\x", i) and i + 4 <= len(text):
            out.append(int(text[i + 2 : i + 4], 16))
            i += 4
        else:
            out += text[i].encode()
            i += 1
    return bytes(out)


def text(value: Any, places: Places) -> Union[str, bytes]:
    """A text argument: a string (placeholders filled), ``{"repeat": u, "times": n, "then": t}``
    or ``{"bytes": ...}`` (bytes when they are not UTF-8)."""
    if isinstance(value, str):
        return places.fill(value)
    if isinstance(value, dict) and "repeat" in value:
        return str(value["repeat"]) * int(value["times"]) + str(value.get("then", ""))
    if isinstance(value, dict) and "bytes" in value:
        raw = unescape_bytes(places.fill(value["bytes"]))
        try:
            return raw.decode()
        except UnicodeDecodeError:
            return raw
    raise AssertionError(f"not a text value: {value!r}")


def as_bytes(value: Union[str, bytes]) -> bytes:
    """A text as the bytes a received body holds (UTF-8 for a ``str``)."""
    return value.encode() if isinstance(value, str) else value


def chatwoot_headers(args: "Args", body: bytes) -> Dict[str, str]:
    """The headers Chatwoot sends with ``body`` for a ``chatwoot_webhook`` call: signed with
    ``signed_with`` (None: no signature headers) ``signed_ago`` seconds ago, with ``delivery``
    as ``X-Chatwoot-Delivery`` when given."""
    ago = int(args.get("signed_ago") or 0)
    signer = args.get("signed_with")
    delivery = args.text("delivery")
    headers: Dict[str, str] = {}
    if signer is not None:
        timestamp = str(int(time.time()) - ago)
        key = as_bytes(text(signer, args.places))
        digest = hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        headers["X-Chatwoot-Signature"] = f"sha256={digest}"
        headers["X-Chatwoot-Timestamp"] = timestamp
    if delivery is not None:
        headers["X-Chatwoot-Delivery"] = delivery
    return headers


def judge_rejected(expect: Dict[str, Any], error: Optional[BaseException], kind: Any) -> List[str]:
    """What a rejected case's error got wrong: its class (``kind``), its message (which starts
    with the part at fault and has and lacks the case's fragments), a field (received data
    names none)."""
    part = expect["rejected"]
    if type(error) is not kind:
        return [f"{error!r}, want a {kind.__name__} about {part!r}"]
    p = []
    if getattr(error, "field", None) is not None:
        p.append(f"field {getattr(error, 'field', None)!r}, want None")
    if not str(error).startswith(f"{part}: "):
        p.append(f"the message does not start with {part!r}: {error}")
    return p + message_problems(expect, error)


def message_problems(expect: Dict[str, Any], error: Optional[BaseException]) -> List[str]:
    """The case's ``message_has`` fragments the error's message lacks, and the
    ``message_lacks`` ones it shows."""
    p = [f"the message lacks {has!r}: {error}" for has in expect.get("message_has", []) if has not in str(error)]
    p += [
        f"the error shows {lacks!r}: {error!r}"
        for lacks in expect.get("message_lacks", [])
        if lacks in f"{error} {error!r}"
    ]
    return p


def as_str(value: Union[str, bytes]) -> str:
    """Python's form of a text: bytes that are not UTF-8 as the ``str`` the OS would give
    (``os.fsdecode``: each bad byte a lone surrogate)."""
    return os.fsdecode(value) if isinstance(value, bytes) else value


def ident(value: Any, places: Places) -> Union[int, str]:
    """An id argument: a number, ``"{object}"``/``"{conversation}"`` (the fixture's), or text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if value == "{object}":
        return places.object
    if value == "{conversation}":
        return places.conversation
    return as_str(text(value, places))


def with_defaults(table: Dict[str, Any], call: Dict[str, Any]) -> Dict[str, Any]:
    return {**table.get("defaults", {}).get(call["op"], {}), **call}


def decoded(value: Any, places: Places) -> Any:
    """The call's arguments as JSON, every text decoded (what ``{"arg": ...}`` names); bytes
    that are not UTF-8 become None."""
    if isinstance(value, str) or (isinstance(value, dict) and ("repeat" in value or "bytes" in value)):
        t = text(value, places)
        return None if isinstance(t, bytes) else t
    if isinstance(value, dict):
        return {k: decoded(v, places) for k, v in value.items()}
    if isinstance(value, list):
        return [decoded(v, places) for v in value]
    return value


def expected(value: Any, args: Any) -> Any:
    """A check's ``is`` with each ``{"arg": "a/b"}`` replaced by that decoded argument."""
    if isinstance(value, dict) and list(value) == ["arg"]:
        found = args
        for seg in value["arg"].split("/"):
            found = found[int(seg)] if seg.isdigit() else found[seg]
        return found
    if isinstance(value, list):
        return [expected(v, args) for v in value]
    return value


class Args:
    """A call's arguments; every one must be used by the face, or the case fails."""

    def __init__(self, call: Dict[str, Any], places: Places) -> None:
        self.call = call
        self.places = places
        self.used = {"op", "setup", "files", "as_nobody"}

    def get(self, key: str) -> Any:
        self.used.add(key)
        return self.call.get(key)

    def text(self, key: str) -> Optional[str]:
        value = self.get(key)
        return None if value is None else as_str(text(value, self.places))

    def must(self, key: str) -> str:
        value = self.text(key)
        assert value is not None, f"argument {key} missing"
        return value

    def ident(self, key: str) -> Union[int, str]:
        return ident(self.get(key), self.places)

    def list(self, key: str) -> List[Any]:
        value = self.get(key)
        return [] if value is None else list(value)

    def unused(self) -> List[str]:
        return sorted(set(self.call) - self.used)


# --- checks on what the mock recorded and stored -------------------------------------------

_MISSING = object()


def _follow(value: Any, segments: List[str]) -> Any:
    if not segments:
        return value
    seg, rest = segments[0], segments[1:]
    if seg == "*":
        if not isinstance(value, list):
            return _MISSING
        items = [_follow(v, rest) for v in value]
        return _MISSING if any(i is _MISSING for i in items) else items
    if isinstance(value, dict) and "parts" in value and seg == "files":
        files = [p for p in value["parts"] if p["name"] in ("file", "attachments[]")]
        return _follow(files, rest)
    if isinstance(value, dict) and "parts" in value and seg == "data":
        data = value["json"]["data"] if value["content_type"] == "application/json" else value["json"]
        return _follow(data, rest)
    if isinstance(value, list) and re.fullmatch(r"-?\d+", seg):
        index = int(seg)
        return _follow(value[index], rest) if -len(value) <= index < len(value) else _MISSING
    if isinstance(value, dict) and seg in value:
        return _follow(value[seg], rest)
    return _MISSING


def short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 300 else f"{text[:300]}... ({len(text)} characters)"


def run_checks(checks: List[Dict[str, Any]], args: Any, root: Callable[[str], Any]) -> List[str]:
    """The differences between the records ``root(name)`` gives and a sent case's checks."""
    problems = []
    for check in checks:
        at = check["at"]
        segments = at.split("/")
        try:
            start = root(segments[0])
        except LookupError as e:
            problems.append(f"{at}: {e}")
            continue
        found = _follow(start, segments[1:])
        if check.get("absent"):
            if found is not _MISSING:
                problems.append(f"{at}: present ({short(found)}), must be absent")
            continue
        want = expected(check["is"], args)
        if found is _MISSING:
            problems.append(f"{at}: missing, want {short(want)}")
        elif found != want or type(found) is not type(want):
            problems.append(f"{at}: {short(found)} is not {short(want)}")
    return problems


# --- the fault matrix ------------------------------------------------------------------------


def http_date_in(seconds: int) -> str:
    return email.utils.formatdate(time.time() + seconds, usegmt=True)


def fill_fault(value: Any, other_host: str) -> Any:
    """A fault (or a message fragment) with ``{http_date_in:N}`` and ``{other_host}`` filled."""
    if isinstance(value, str):
        value = value.replace("{other_host}", other_host)
        return re.sub(r"\{http_date_in:(\d+)\}", lambda m: http_date_in(int(m.group(1))), value)
    if isinstance(value, list):
        return [fill_fault(v, other_host) for v in value]
    if isinstance(value, dict):
        return {k: fill_fault(v, other_host) for k, v in value.items()}
    return value


class Observed:
    """What one create gave, in terms every face can report."""

    def __init__(self, requests: int, stored: int) -> None:
        self.outcome = "ok"
        self.message = ""
        self.request_id = False
        self.retry_safety: Optional[str] = None
        self.retry_after: Optional[float] = None
        self.http_status: Optional[int] = None
        self.body: Optional[str] = None
        self.description: Optional[str] = None
        self.requests = requests
        self.stored = stored


def judge(case: Dict[str, Any], table: Dict[str, Any], got: Observed, other_host: str) -> List[str]:
    """The differences between a create's outcome and the case's ``expect`` (``memory``,
    ``other_host`` and ``attempts`` are the runner's)."""
    want = case["expect"]
    p = unknown_keys("case", case, FAULT_CASE_KEYS)
    p += unknown_keys("client", case.get("client"), FAULT_CLIENT_KEYS)
    p += unknown_keys("expect", want, FAULT_EXPECT_KEYS)
    if got.outcome != want["outcome"]:
        return p + [f"outcome {got.outcome} ({got.message}), want {want['outcome']}"]
    if "requests" in want and got.requests != want["requests"]:
        p.append(f"the server saw {got.requests} requests, want {want['requests']}")
    if want.get("stored") is not None and got.stored != want["stored"]:
        p.append(f"the server stored {got.stored} records, want {want['stored']}")
    if want["outcome"] == "ok":
        return p
    if not got.request_id:
        p.append("the error carries no request id")
    # Every error case states it: whether the caller may send the create again.
    if "retry_safety" not in want:
        p.append("expect has no retry_safety (every error case states it)")
    elif got.retry_safety != want["retry_safety"]:
        p.append(f"retry_safety {got.retry_safety!r}, want {want['retry_safety']}")
    for says in want.get("says", []):
        says = fill_fault(says, other_host)
        if says not in got.message:
            p.append(f"message {got.message!r} lacks {says!r}")
    if want.get("maybe_processed") and not got.message.endswith(table["maybe_processed"]):
        p.append(f"message {got.message!r} does not end with {table['maybe_processed']!r}")
    if "retry_after" in want:
        ra = want["retry_after"]
        if isinstance(ra, dict):
            ok = got.retry_after is not None and ra["min"] <= got.retry_after <= ra["max"]
        else:
            ok = got.retry_after == ra if ra is not None else got.retry_after is None
        if not ok:
            p.append(f"retry_after {got.retry_after}, want {ra}")
    if "http_status" in want and got.http_status != want["http_status"]:
        p.append(f"http_status {got.http_status}, want {want['http_status']}")
    if "description" in want and want["description"] is None and got.description is not None:
        p.append(f"description {got.description!r}, want none")
    body = want.get("body", _MISSING)
    if isinstance(body, str) and got.body != body:
        p.append(f"body {got.body!r:.200}, want {body!r:.200}")
    if isinstance(body, dict) and (got.body is None or len(got.body) != body["length"]):
        p.append(f"body of {None if got.body is None else len(got.body)} characters, want {body['length']}")
    return p
