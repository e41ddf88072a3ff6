"""The soak's accounting: what the callers were told against what the mock saw and stored.

Inputs: the calls a face made (``calls-*.tsv``, one line per call, written by soak.c or
soak.py), the mock's recorded requests, its stored CommBox objects and Chatwoot inbox, its
chaos report, and the face's resource samples (``samples.tsv``).

Columns of a call line, tab-separated:
  phase (w warm-up, m measured), thread, seq, op, marker (the unique text a create carries,
  ``-`` for reads), outcome (ok, err, wrong: answered but not what was asked), result (the id
  returned: object or message id, Chatwoot source_id or display id; the status set; ``-``),
  parent (stream, conversation id, contact source_id or ``source_id/conversation``), error
  kind (``-`` or the C status name: server, rate_limited, connection, ...), request id (the
  X-Request-Id the error carries), HTTP status (0 when none), message.

How calls and requests are joined. The client sends one X-Request-Id per call, the same on
every retry, so the mock's requests grouped by it are the calls' attempts, in arrival order.
A failed call names its request id, so its attempts are known exactly; a successful call is
joined by count (every call is one group) and, for creates, by its marker in the stored data.

What is checked (each failed check is a problem and fails the soak):
  * attempts: every request has an X-Request-Id; there are as many groups as calls; an
    attempt is followed by a retry only if it was faulted; a create is re-sent only after a
    fault that says the server did not process it (429, 503), never after a 5xx that may have
    been processed or a reset.
  * failures: the calls that failed are exactly the groups whose last attempt was faulted (no
    failure without a fault, no fault swallowed), each with the error kind of that fault
    (5xx: server, 429: rate_limited, reset: connection). Hence failures reported = faults
    injected - faults recovered by a retry.
  * nothing lost: every id returned by a create is stored exactly once, under the parent the
    call named, carrying the call's marker; every stored object carries the marker of a call.
  * nothing duplicated: no marker (so no call, and no request id) is stored twice.
  * a failed create is stored only when its last attempt was a ``drop_after`` fault (the mock
    processed it and reset the connection instead of answering): the caller was told the call
    failed and that it may have been processed (a connection error after sending), so it is
    not lost; it is counted as "stored, caller told".
  * reads: a get answered with another conversation is a problem (outcome ``wrong``).
  * resources: open descriptors and RSS at the end within 10 % of the start.
"""

from __future__ import annotations

import glob
import json
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

MARKER = re.compile(r"soak-(?:c|py)-[wm]\d{2}-\d{6}")
CREATES = {
    "conv_email": "conversation",
    "conv_sms": "conversation",
    "conv_whatsapp": "conversation",
    "conv_chat": "conversation",
    "msg_customer": "message",
    "msg_agent": "message",
    "cw_contact": "cw_contact",
    "cw_conversation": "cw_conversation",
    "cw_message": "cw_message",
}
# What a caller must be told when the last attempt met this fault.
KIND_OF_FAULT = {
    "500": "server",
    "502": "server",
    "503": "server",
    "503_retry_after": "server",
    "504": "server",
    "429": "rate_limited",
    "429_retry_after": "rate_limited",
    "drop": "connection",
    "drop_after": "connection",
}
# Faults after which the server has said it did not process the request.
NOT_PROCESSED = {"429", "429_retry_after", "503", "503_retry_after"}
FLAT = 0.10


@dataclass
class Call:
    phase: str
    thread: int
    seq: int
    op: str
    marker: str
    outcome: str
    result: str
    parent: str
    kind: str
    request_id: str
    http: int
    message: str


@dataclass
class Stored:
    what: str
    id: str
    parent: str


@dataclass
class Summary:
    face: str
    calls: int = 0
    measured_calls: int = 0
    successes: int = 0
    failures: int = 0
    requests: int = 0
    injected: int = 0
    delays: int = 0
    recovered: int = 0
    unrecovered: int = 0
    creates_ok: int = 0
    stored_once: int = 0
    stored_after_failure: int = 0
    duplicates: int = 0
    lost: int = 0
    injected_by_kind: Dict[str, int] = field(default_factory=dict)
    failures_by_kind: Dict[str, int] = field(default_factory=dict)
    fd: Tuple[int, int, int] = (0, 0, 0)
    rss_kib: Tuple[int, int, int] = (0, 0, 0)
    samples: int = 0
    seconds: float = 0.0
    problems: List[str] = field(default_factory=list)
    problem_counts: Dict[str, int] = field(default_factory=dict)


def load_calls(directory: str) -> List[Call]:
    calls = []
    for path in sorted(glob.glob(os.path.join(directory, "calls-*.tsv"))):
        with open(path) as lines:
            for line in lines:
                f = line.rstrip("\n").split("\t")
                calls.append(
                    Call(f[0], int(f[1]), int(f[2]), f[3], "" if f[4] == "-" else f[4], f[5], f[6], f[7], f[8], f[9],
                         int(f[10]), f[11])
                )
    return calls


def load_samples(directory: str) -> List[Tuple[float, str, int, int]]:
    with open(os.path.join(directory, "samples.tsv")) as lines:
        return [(float(t), label, int(fd), int(rss)) for t, label, fd, rss in (ln.split() for ln in lines)]


def stored_by_marker(objects: List[Dict[str, Any]], inbox: Dict[str, Any]) -> Tuple[Dict[str, List[Stored]], List[str]]:
    """Every stored object by the marker it carries, and the objects that carry none."""
    found: Dict[str, List[Stored]] = defaultdict(list)
    unmarked: List[str] = []

    def add(text: str, stored: Stored) -> None:
        markers = set(MARKER.findall(text))
        if len(markers) != 1:
            unmarked.append(f"{stored.what} {stored.id} carries markers {sorted(markers)}")
            return
        found[markers.pop()].append(stored)

    for obj in objects:
        add(json.dumps(obj["data"]), Stored("conversation", str(obj["id"]), obj["stream_id"]))
        for child in obj["children"]:
            add(json.dumps(child["data"]), Stored("message", str(child["id"]), str(obj["id"])))
    for contact in inbox["contacts"]:
        add(contact["name"], Stored("cw_contact", contact["source_id"], "-"))
    for conv in inbox["conversations"]:
        add(json.dumps(conv["custom_attributes"]),
            Stored("cw_conversation", str(conv["id"]), conv["contact_source_id"]))
        for message in conv["messages"]:
            if message["message_type"] == 2:  # activity messages Chatwoot writes itself
                continue
            add(message["content"] or "",
                Stored("cw_message", str(message["id"]), f"{conv['contact_source_id']}/{conv['id']}"))
    return found, unmarked


def check(
    face: str,
    calls: List[Call],
    requests: List[Dict[str, Any]],
    objects: List[Dict[str, Any]],
    inbox: Dict[str, Any],
    chaos: Dict[str, Any],
    samples: List[Tuple[float, str, int, int]],
) -> Summary:
    s = Summary(face)

    def problem(sort: str, detail: str) -> None:
        # The first few of each sort say enough; problem_counts has them all.
        s.problem_counts[sort] = s.problem_counts.get(sort, 0) + 1
        if s.problem_counts[sort] <= 5:
            s.problems.append(f"{sort}: {detail}")

    s.calls = len(calls)
    s.measured_calls = sum(1 for c in calls if c.phase == "m")
    s.successes = sum(1 for c in calls if c.outcome == "ok")
    s.failures = sum(1 for c in calls if c.outcome == "err")
    s.failures_by_kind = dict(Counter(c.kind for c in calls if c.outcome == "err"))
    for c in calls:
        if c.outcome == "wrong":
            problem("wrong answer", f"{c.op} {c.parent} by thread {c.thread} call {c.seq}")

    # Attempts, grouped by the client's X-Request-Id.
    s.requests = len(requests)
    groups: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for r in sorted(requests, key=lambda r: r["seq"]):
        rid = r["headers"].get("x-request-id")
        if not rid:
            problem("request without X-Request-Id", f"{r['method']} {r['path']}")
            continue
        groups[rid].append(r)
    if len(groups) != len(calls):
        problem("calls and request ids differ", f"{len(calls)} calls, {len(groups)} request ids on the mock")

    injected = Counter(r["chaos"] for r in requests if r.get("chaos"))
    s.injected_by_kind = dict(injected)
    s.delays = injected.get("delay", 0)
    s.injected = sum(n for kind, n in injected.items() if kind != "delay")
    if s.injected != chaos.get("failures"):
        problem("fault count", f"the records show {s.injected}, the mock's report {chaos.get('failures')}")

    unrecovered: Dict[str, str] = {}
    for rid, attempts in groups.items():
        first = attempts[0]
        is_create = first["method"] == "POST" and not re.search(r"/objects/[^/]+/status/", first["path"])
        for a in attempts[:-1]:
            kind = a.get("chaos")
            if not kind or kind == "delay":
                problem("retry after an attempt that succeeded", f"{rid} {a['method']} {a['path']}")
            elif is_create and kind not in NOT_PROCESSED:
                problem("create re-sent after a fault that may have been processed", f"{rid} {a['path']} after {kind}")
            if (a["method"], a["path"], a.get("json")) != (first["method"], first["path"], first.get("json")):
                problem("a retry sent another request", rid)
        faulted = [a for a in attempts if a.get("chaos") and a["chaos"] != "delay"]
        last = attempts[-1].get("chaos")
        if last and last != "delay":
            unrecovered[rid] = last
            s.recovered += len(faulted) - 1
        else:
            s.recovered += len(faulted)
    s.unrecovered = len(unrecovered)

    failed = {c.request_id: c for c in calls if c.outcome == "err"}
    for rid, c in failed.items():
        if rid not in unrecovered:
            problem("failure without a fault", f"{c.op} {c.kind} '{c.message}' ({rid})")
        elif c.kind != KIND_OF_FAULT[unrecovered[rid]]:
            problem("wrong error kind", f"{c.op} got {c.kind} for a {unrecovered[rid]} fault ({rid}): {c.message}")
    for rid, kind in unrecovered.items():
        if rid not in failed:
            last_attempt = groups[rid][-1]
            problem("fault not reported to the caller", f"{kind} on {last_attempt['method']} {last_attempt['path']} ({rid})")
    if len(failed) != s.failures:
        problem("failed calls share request ids", f"{s.failures} failures, {len(failed)} ids")
    if s.failures != s.injected - s.recovered:
        problem("failures reported != faults injected - recovered", f"{s.failures} != {s.injected} - {s.recovered}")

    # Storage: each create's marker against what the mock holds.
    stored, unmarked = stored_by_marker(objects, inbox)
    for text in unmarked:
        problem("stored object without a caller", f"{text}")
    made = {c.marker: c for c in calls if c.op in CREATES}
    for marker, items in stored.items():
        if marker not in made:
            problem("stored object without a caller", f"{items[0].what} {items[0].id} ({marker})")
            s.lost += len(items)
    for marker, c in made.items():
        items = stored.get(marker, [])
        if len(items) > 1:
            s.duplicates += len(items) - 1
            problem("duplicate", f"{c.op} {marker} stored {len(items)} times: {[i.id for i in items]}")
        if items and items[0].what != CREATES[c.op]:
            problem("stored as the wrong thing", f"{c.op} {marker} is a {items[0].what}")
        if c.outcome == "ok":
            s.creates_ok += 1
            if not items:
                s.lost += 1
                problem("lost", f"{c.op} {marker} returned {c.result} but nothing is stored")
            elif items[0].id != c.result:
                problem("wrong id", f"{c.op} {marker} returned {c.result}, stored as {items[0].id}")
            elif c.op != "cw_contact" and items[0].parent != c.parent:
                problem("wrong parent", f"{c.op} {marker} under {items[0].parent}, asked {c.parent}")
            elif len(items) == 1:
                s.stored_once += 1
        elif items:
            fault = unrecovered.get(c.request_id)
            if fault == "drop_after":
                s.stored_after_failure += 1
            else:
                problem("failed create stored", f"{c.op} {marker} failed with {c.kind} after a {fault} fault")

    # Resources, from the start of the measured phase to its end.
    s.samples = len(samples)
    start = next(x for x in samples if x[1] == "start")
    end = next(x for x in samples if x[1] == "end")
    s.seconds = end[0]
    s.fd = (start[2], end[2], max(x[2] for x in samples))
    s.rss_kib = (start[3], end[3], max(x[3] for x in samples))
    for name, (at_start, at_end, _) in (("open descriptors", s.fd), ("RSS", s.rss_kib)):
        if abs(at_end - at_start) > FLAT * at_start:
            problem(f"{name} not flat", f"{at_start} at the start, {at_end} at the end")
    return s


def table(summaries: List[Summary]) -> str:
    """The results as a markdown table, one row per face."""
    head = (
        "| face | calls (+ warm-up) | successes | failures reported | faults injected | recovered by retry "
        "| stored, caller told | duplicates | lost | fd start/end (max) | RSS MiB start/end (max) | time |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|\n"
    )
    rows = []
    for s in summaries:
        mib = [f"{v / 1024:.1f}" for v in s.rss_kib]
        rows.append(
            f"| {s.face} | {s.measured_calls} (+{s.calls - s.measured_calls}) | {s.successes} | {s.failures} "
            f"| {s.injected} (+{s.delays} delays) | {s.recovered} | {s.stored_after_failure} | {s.duplicates} "
            f"| {s.lost} | {s.fd[0]}/{s.fd[1]} ({s.fd[2]}) | {mib[0]}/{mib[1]} ({mib[2]}) | {s.seconds:.0f} s |"
        )
    return head + "\n".join(rows) + "\n"
