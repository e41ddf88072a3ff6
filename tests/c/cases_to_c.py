#!/usr/bin/env python3
"""Writes the case table (tests/cases/*.json) as C data for the C runners.

    python3 tests/c/cases_to_c.py tests/cases/faults.json build/cases/fault_cases.h
    python3 tests/c/cases_to_c.py tests/cases/hostile.json build/cases/hostile_cases.h

The types are in tests/c/case_table.h; the runners are tests/c/test_fault_cases.c and
tests/c/test_hostile_cases.c (make test-c runs this first). Only the standard library, so it
runs on any python3 (3.9 and later). What the C face cannot take is an error here, not a
silent skip: a key this script does not know, a case that applies to C with a value a C
string cannot hold, a text id. A case is left out only where the table says "n/a" for C.

C-face rules applied here (not in the table): a case with ``"c": {"nul": "dropped"}`` sends
its texts without their NUL characters; ``"c": {"status": ..., "field": ...}`` replaces the
refused status (``kind``, or a C-only status such as invalid_utf8) and field.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Dict, List, Optional

FACE = "c"
#: Longer literals draw -Woverlength-strings under -pedantic: such values use "repeat".
MAX_LITERAL = 4000

SCALAR_ARGS = [
    "channel", "stream", "identity", "message", "subject", "template", "user_remarks", "from",
    "object", "agent_id", "base64", "status", "method", "path", "api_key", "base_url",
    "user_agent_suffix", "proxy", "inbox", "contact", "identifier", "identifier_hash",
    "source_id", "name", "email", "echo_id", "conversation",
    # received webhook deliveries
    "body", "content_type", "secret", "signed_with", "signed_ago", "delivery",
]
LIST_ARGS = {"attachments", "to", "env"}
CALL_KEYS = {"op", "setup", "files", "as_nobody"}
FAULT_CASE_KEYS = {"id", "what", "site", "faults", "client", "expect", "note"}
FAULT_EXPECT_KEYS = {
    "outcome", "retry_safety", "says", "maybe_processed", "requests", "stored", "attempts", "retry_after",
    "http_status", "description", "body", "memory", "other_host",
}
# The table's names for an error's retry safety, as the C enum spells them.
RETRY_SAFETY = {"safe": "COMMBOX_RETRY_SAFETY_SAFE", "may_duplicate": "COMMBOX_RETRY_SAFETY_MAY_DUPLICATE"}
HOSTILE_CASE_KEYS = {"id", "what", "call", "expect", "rust", "c", "python", "cli"}


class TableError(Exception):
    pass


def literal(data: bytes) -> str:
    """A C string literal of ``data``: printable ASCII as is, every other byte in octal."""
    if len(data) > MAX_LITERAL:
        raise TableError(f"a literal of {len(data)} bytes: give it as a repeat")
    out = []
    for b in data:
        c = chr(b)
        if c in '"\\?':
            out.append("\\" + c)
        elif 0x20 <= b < 0x7F:
            out.append(c)
        else:
            out.append(f"\\{b:03o}")
    return '"' + "".join(out) + '"'


def text_literal(text: Optional[str]) -> str:
    return "NULL" if text is None else literal(text.encode())


def unescape_bytes(text: str) -> bytes:
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


class Cv:
    """One ``struct cv`` initializer, from a table value (C adaptations applied)."""

    def __init__(self, value: Any, drop_nul: bool, where: str) -> None:
        self.where = where
        self.drop_nul = drop_nul
        if value is None:
            self.init = "{CV_NONE, NULL, 0, 0, NULL, 0}"
        elif isinstance(value, bool) or isinstance(value, int):
            self.init = f"{{CV_INT, NULL, 0, 0, NULL, {int(value)}}}"
        elif isinstance(value, str):
            self.init = self.text(value.encode())
        elif isinstance(value, dict) and "bytes" in value:
            self.init = self.text(unescape_bytes(value["bytes"]))
        elif isinstance(value, dict) and "repeat" in value:
            unit = self.clean(str(value["repeat"]).encode())
            then = self.clean(str(value.get("then", "")).encode())
            times = int(value["times"])
            self.init = f"{{CV_REPEAT, {literal(unit)}, {len(unit)}, {times}, {literal(then)}, 0}}"
        else:
            raise TableError(f"{where}: not a value the C face takes: {value!r}")

    def clean(self, data: bytes) -> bytes:
        if b"\0" in data:
            if not self.drop_nul:
                raise TableError(f"{self.where}: a C string cannot hold NUL; mark the case n/a in C")
            data = data.replace(b"\0", b"")
        return data

    def text(self, data: bytes) -> str:
        data = self.clean(data)
        return f"{{CV_TEXT, {literal(data)}, {len(data)}, 0, NULL, 0}}"


def json_cv(value: Any) -> str:
    """A value compared as JSON text (numbers, true/false, null, objects): compact, sorted,
    escaped like serde_json, which is how the C face reads the mock's records."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"{{CV_JSON, {literal(text.encode())}, {len(text.encode())}, 0, NULL, 0}}"


class Writer:
    def __init__(self) -> None:
        self.lines: List[str] = []
        self.counter = 0

    def array(self, ctype: str, items: List[str]) -> str:
        """Emits a static array; its name (NULL when empty)."""
        if not items:
            return "NULL"
        self.counter += 1
        name = f"table_{self.counter}"
        self.lines.append(f"static const {ctype} {name}[] = {{")
        self.lines += [f"    {item}," for item in items]
        self.lines.append("};")
        return name

    def strings(self, items: List[str]) -> str:
        return self.array("char *const", [text_literal(s) for s in items])


# --- the fault matrix --------------------------------------------------------------------------


def fault_case(w: Writer, case: Dict[str, Any]) -> str:
    unknown = set(case) - FAULT_CASE_KEYS
    if unknown:
        raise TableError(f"{case['id']}: keys the C face does not know: {sorted(unknown)}")
    e = case["expect"]
    unknown = set(e) - FAULT_EXPECT_KEYS
    if unknown:
        raise TableError(f"{case['id']}: expectations the C face does not know: {sorted(unknown)}")
    client = case.get("client", {})
    if set(client) - {"timeout_ms", "ca_file"}:
        raise TableError(f"{case['id']}: client settings the C face does not know: {client}")
    faults = case.get("faults")
    ra = e.get("retry_after", "unchecked")
    if ra == "unchecked":
        ra_kind, ra_lo, ra_hi = "RA_UNCHECKED", 0.0, 0.0
    elif ra is None:
        ra_kind, ra_lo, ra_hi = "RA_NONE", 0.0, 0.0
    elif isinstance(ra, dict):
        ra_kind, ra_lo, ra_hi = "RA_RANGE", float(ra["min"]), float(ra["max"])
    else:
        ra_kind, ra_lo, ra_hi = "RA_RANGE", float(ra), float(ra)
    body = e.get("body")
    stored = e.get("stored", "unchecked")
    safety = e.get("retry_safety")
    if e["outcome"] != "ok" and safety not in RETRY_SAFETY:
        raise TableError(f"{case['id']}: retry_safety {safety!r}: every error case states safe or may_duplicate")
    fields = {
        "id": text_literal(case["id"]),
        "what": text_literal(case["what"]),
        "site": text_literal(case.get("site", "mock")),
        "faults": "NULL" if faults is None else literal(json.dumps(faults, ensure_ascii=False).encode()),
        "uses_other_host": int("{other_host}" in json.dumps(case)),
        "timeout_ms": int(client.get("timeout_ms", 0)),
        "ca_file_site": int(client.get("ca_file") == "site"),
        "outcome": text_literal(e["outcome"]),
        "says": w.strings(list(e.get("says", []))),
        "n_says": len(e.get("says", [])),
        "retry_safety": RETRY_SAFETY.get(safety, "-1"),
        "maybe_processed": int(bool(e.get("maybe_processed"))),
        "requests": int(e.get("requests", -1)),
        "stored": -1 if stored is None or stored == "unchecked" else int(stored),
        "retry_after": ra_kind,
        "retry_after_min": ra_lo,
        "retry_after_max": ra_hi,
        "http_status": int(e.get("http_status", 0)),
        "description_none": int("description" in e and e["description"] is None),
        "body": text_literal(body) if isinstance(body, str) else "NULL",
        "body_length": int(body["length"]) if isinstance(body, dict) else -1,
        "memory_flat": int(e.get("memory") == "flat"),
        "other_host_untouched": int(e.get("other_host") == "untouched"),
    }
    return "{" + ", ".join(f".{k} = {v}" for k, v in fields.items()) + "}"


def faults_header(table: Dict[str, Any]) -> str:
    w = Writer()
    cases = [fault_case(w, c) for c in table["cases"]]
    creates = w.strings(list(table["creates"]))
    out = list(w.lines)
    out.append(f"static const char *const *const FAULT_CREATES = {creates};")
    out.append(f"#define N_FAULT_CREATES {len(table['creates'])}")
    out.append(f"static const char FAULT_MAYBE_PROCESSED[] = {text_literal(table['maybe_processed'])};")
    out.append("static const struct fault_case FAULT_CASES[] = {")
    out += [f"    {c}," for c in cases]
    out.append("};")
    out.append(f"#define N_FAULT_CASES {len(cases)}")
    return "\n".join(out)


# --- hostile input ---------------------------------------------------------------------------


def hostile_call(w: Writer, call: Dict[str, Any], drop_nul: bool, where: str) -> str:
    args = ["{CV_NONE, NULL, 0, 0, NULL, 0}"] * len(SCALAR_ARGS)
    for key, value in call.items():
        if key in CALL_KEYS or key in LIST_ARGS:
            continue
        if key not in SCALAR_ARGS:
            raise TableError(f"{where}: an argument the C face does not know: {key}")
        if key in ("object", "conversation") and isinstance(value, str) and value not in (
            "{object}",
            "{conversation}",
        ):
            raise TableError(f"{where}: {key} {value!r}: ids are int64_t in C; mark the case n/a in C")
        args[SCALAR_ARGS.index(key)] = Cv(value, drop_nul, f"{where}: {key}").init
    attachments = []
    for a in call.get("attachments", []):
        if set(a) - {"name", "content", "path"}:
            raise TableError(f"{where}: attachment settings the C face cannot take: {a}")
        attachments.append(
            "{"
            + ", ".join(Cv(a.get(k), drop_nul, f"{where}: attachment {k}").init for k in ("name", "content", "path"))
            + "}"
        )
    to = [
        "{" + Cv(t["address"], drop_nul, where).init + ", " + Cv(t["name"], drop_nul, where).init + "}"
        for t in call.get("to", [])
    ]
    env = [
        "{" + text_literal(k) + ", " + Cv(v, drop_nul, where).init + "}" for k, v in call.get("env", {}).items()
    ]
    return (
        f"{{.op = {text_literal(call['op'])}, .args = {{{', '.join(args)}}}, "
        f".attachments = {w.array('struct c_attachment', attachments)}, .n_attachments = {len(attachments)}, "
        f".to = {w.array('struct c_recipient', to)}, .n_to = {len(to)}, "
        f".env = {w.array('struct c_env', env)}, .n_env = {len(env)}}}"
    )


def arg_value(call: Dict[str, Any], path: str) -> Any:
    found: Any = call
    for seg in path.split("/"):
        found = found[int(seg)] if seg.isdigit() else found[seg]
    return found


def check_values(value: Any, call: Dict[str, Any], drop_nul: bool, where: str) -> List[str]:
    """A check's ``is`` as C values: a list checks each element."""
    if isinstance(value, list):
        return [v for item in value for v in check_values(item, call, drop_nul, where)]
    if isinstance(value, dict) and list(value) == ["arg"]:
        return [Cv(arg_value(call, value["arg"]), drop_nul, where).init]
    if isinstance(value, str):
        return [Cv(value, False, where).init]
    return [json_cv(value)]


def hostile_case(w: Writer, table: Dict[str, Any], case: Dict[str, Any]) -> Optional[str]:
    unknown = set(case) - HOSTILE_CASE_KEYS
    if unknown:
        raise TableError(f"{case['id']}: keys the C face does not know: {sorted(unknown)}")
    part = case.get(FACE, {})
    if isinstance(part, str):
        return None
    if set(part) - {"nul", "why", "status", "kind", "field", "message_has", "message_lacks"}:
        raise TableError(f"{case['id']}: C settings this script does not know: {part}")
    drop_nul = part.get("nul") == "dropped"
    where = case["id"]
    call = {**table.get("defaults", {}).get(case["call"]["op"], {}), **case["call"]}
    setup = [
        hostile_call(w, {**table.get("defaults", {}).get(s["op"], {}), **s}, drop_nul, where)
        for s in call.get("setup", [])
    ]
    files = []
    for f in call.get("files", []):
        content = Cv(f.get("content"), False, f"{where}: file").init
        name = Cv(f["name"], False, where).init
        files.append(f"{{{name}, {content}, {int(bool(f.get('fifo')))}, {int(f.get('mode', -1))}}}")
    e = case["expect"]
    text = json.dumps([call, e])
    fields: Dict[str, Any] = {
        "id": text_literal(case["id"]),
        "what": text_literal(case["what"]),
        "call": hostile_call(w, call, drop_nul, where),
        "setup": w.array("struct c_call", setup),
        "n_setup": len(setup),
        "files": w.array("struct c_file", files),
        "n_files": len(files),
        "as_nobody": int(bool(call.get("as_nobody"))),
        "need_object": int("{object}" in text or '"message/' in text),
        "need_chatwoot": int(
            any(k in text for k in ("{contact}", "{conversation}", '"chatwoot_message/', '"contact/'))
        ),
    }
    if "rejected" in e:
        # Received data refused: the message starts with the part at fault; no field.
        if set(e) - {"rejected", "kind", "message_has", "message_lacks"}:
            raise TableError(f"{where}: expectations the C face does not know: {sorted(e)}")
        has = [Cv(s, False, where).init for s in e.get("message_has", [])]
        lacks = [Cv(s, False, where).init for s in e.get("message_lacks", [])]
        fields.update(
            refused=1,
            rejected=1,
            status=text_literal(e["kind"]),
            field=Cv(e["rejected"], False, where).init,
            message_has=w.array("struct cv", has),
            n_has=len(has),
            message_lacks=w.array("struct cv", lacks),
            n_lacks=len(lacks),
        )
    elif "refused" in e:
        if set(e) - {"refused", "kind", "message_has", "message_lacks"}:
            raise TableError(f"{where}: expectations the C face does not know: {sorted(e)}")
        has = [Cv(s, False, where).init for s in part.get("message_has", e.get("message_has", []))]
        lacks = [Cv(s, False, where).init for s in part.get("message_lacks", e.get("message_lacks", []))]
        fields.update(
            refused=1,
            status=text_literal(part.get("status", part.get("kind", e.get("kind", "validation")))),
            field=Cv(part.get("field", e["refused"]), False, where).init,
            message_has=w.array("struct cv", has),
            n_has=len(has),
            message_lacks=w.array("struct cv", lacks),
            n_lacks=len(lacks),
        )
    else:
        if set(e) - {"sent", "checks"} and set(e) - {"parsed", "checks"}:
            raise TableError(f"{where}: expectations the C face does not know: {sorted(e)}")
        checks = []
        for c in e["checks"]:
            if set(c) - {"at", "is", "absent"}:
                raise TableError(f"{where}: a check the C face does not know: {c}")
            segments = c["at"].split("/")
            keys = [s for s in segments[1:] if s != "*" and not s.lstrip("-").isdigit()]
            values = [] if c.get("absent") else check_values(c["is"], call, drop_nul, where)
            checks.append(
                f"{{{text_literal(segments[0])}, {text_literal(keys[-1])}, {int(bool(c.get('absent')))}, "
                f"{w.array('struct cv', values)}, {len(values)}}}"
            )
        fields.update(
            answer=text_literal(e.get("sent", e.get("parsed"))),
            parsed=int("parsed" in e),
            checks=w.array("struct c_check", checks),
            n_checks=len(checks),
        )
    return "{" + ", ".join(f".{k} = {v}" for k, v in fields.items()) + "}"


def hostile_header(table: Dict[str, Any]) -> str:
    w = Writer()
    cases = []
    for case in table["cases"]:
        entry = hostile_case(w, table, case)
        if entry is not None:
            cases.append(entry)
    out = ["enum arg { " + ", ".join(f"ARG_{a.upper()}" for a in SCALAR_ARGS) + ", N_ARGS };"]
    out.append('_Static_assert(N_ARGS <= MAX_ARGS, "MAX_ARGS in tests/c/case_table.h");')
    out.append("static const char *const ARG_NAMES[] = {" + ", ".join(text_literal(a) for a in SCALAR_ARGS) + "};")
    out += w.lines
    fixture = table["fixture"]
    for key in ("stream", "phone", "message", "inbox", "contact"):
        out.append(f"#define FIXTURE_{key.upper()} {text_literal(fixture[key])}")
    out.append("static const struct hostile_case HOSTILE_CASES[] = {")
    out += [f"    {c}," for c in cases]
    out.append("};")
    out.append(f"#define N_HOSTILE_CASES {len(cases)}")
    return "\n".join(out)


def main(argv: List[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    source, target = argv[1], argv[2]
    with open(source, encoding="utf-8") as f:
        table = json.load(f)
    try:
        body = hostile_header(table) if "fixture" in table else faults_header(table)
    except (TableError, KeyError) as e:
        print(f"{source}: {e}", file=sys.stderr)
        return 1
    guard = "CASES_" + target.rsplit("/", 1)[-1].replace(".", "_").upper()
    text = (
        f"/* Generated from {source} by tests/c/cases_to_c.py: do not edit. */\n"
        f"#ifndef {guard}\n#define {guard}\n{body}\n#endif\n"
    )
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
