"""Soak of the Python face: SOAK_THREADS threads share one ``commbox.Client`` (and one
Chatwoot ``InboxClient`` made from it, so one connection pool) and each makes SOAK_WARMUP and
then SOAK_CALLS mixed calls against a mock in chaos mode. tests/soak/run.py starts the mock,
runs this program and checks what it wrote against what the mock stored.

The same mix and output as tests/soak/soak.c: in $SOAK_OUT, ``calls-<thread>.tsv`` (one line
per call, the columns of tests/soak/accounting.py) and ``samples.tsv`` (open descriptors and
RSS at the start of the measured phase, every SOAK_SAMPLE_MS during it, and at its end).

Each thread keeps a fixed ring of recent ids and writes its lines to a file as it goes, so
the program's own memory does not grow with the number of calls.
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time
from typing import IO, Generic, List, Optional, Tuple, TypeVar

import commbox

STREAMS = ("soak-stream-a", "soak-stream-b", "hNyRN_fLUy7rrOrN9jLpipA==")
STATUSES = (1, 2, 3, 4, 5)
RING = 32
T = TypeVar("T")

# The kind names the C face reports (commbox_status_name), by exception class.
KINDS: Tuple[Tuple[type, str], ...] = (
    (commbox.RateLimitError, "rate_limited"),
    (commbox.ServerError, "server"),
    (commbox.TimeoutError, "timeout"),
    (commbox.ConnectionError, "connection"),
    (commbox.NotFoundError, "not_found"),
    (commbox.BadRequestError, "bad_request"),
    (commbox.AuthenticationError, "authentication"),
    (commbox.DecodeError, "decode"),
    (commbox.TlsError, "tls"),
    (commbox.ValidationError, "validation"),
)


def kind_of(error: commbox.CommboxError) -> str:
    for cls, name in KINDS:
        if isinstance(error, cls):
            return name
    return type(error).__name__


def clean(text: str) -> str:
    return (text.replace("\t", " ").replace("\n", " ").replace("\r", " ")[:300]) or "-"


class Ring(Generic[T]):
    """The last RING items added; a fixed list, so memory stays flat."""

    def __init__(self) -> None:
        self.items: List[T] = []
        self.added = 0

    def add(self, item: T) -> None:
        if len(self.items) < RING:
            self.items.append(item)
        else:
            self.items[self.added % RING] = item
        self.added += 1

    def pick(self, rng: random.Random) -> T:
        return self.items[rng.randrange(len(self.items))]


class Call:
    """One call's line: the columns of tests/soak/accounting.py."""

    def __init__(self, phase: str, seq: int, marker: str) -> None:
        self.phase = phase
        self.seq = seq
        self.op = "-"
        self.marker = marker
        self.result = "-"
        self.parent = "-"
        self.wrong = False


class Worker:
    def __init__(self, index: int, client: commbox.Client, inbox: commbox.InboxClient, out: IO[str]) -> None:
        self.index = index
        self.client = client
        self.inbox = inbox
        self.out = out
        self.rng = random.Random(index + 1)
        self.convs: Ring[Tuple[int, str]] = Ring()
        self.contacts: Ring[str] = Ring()
        self.cwconvs: Ring[Tuple[str, int]] = Ring()
        self.ok = self.failed = self.wrong = 0

    def report(self, call: Call, error: Optional[commbox.CommboxError]) -> None:
        head = f"{call.phase}\t{self.index}\t{call.seq}\t{call.op}\t{call.marker or '-'}"
        if error is not None:
            self.failed += 1
            line = (
                f"{head}\terr\t-\t{call.parent}\t{kind_of(error)}\t{error.request_id or '-'}\t"
                f"{error.status or 0}\t{clean(error.message)}\n"
            )
        elif call.wrong:
            self.wrong += 1
            line = f"{head}\twrong\t{call.result}\t{call.parent}\t-\t-\t0\tanswer does not match the request\n"
        else:
            self.ok += 1
            line = f"{head}\tok\t{call.result}\t{call.parent}\t-\t-\t0\t-\n"
        self.out.write(line)

    def create_conversation(self, call: Call) -> None:
        channel = call.seq % 4
        call.op = ("conv_email", "conv_sms", "conv_whatsapp", "conv_chat")[channel]
        stream = STREAMS[self.rng.randrange(len(STREAMS))]
        call.parent = stream
        if channel == 0:
            new_id = self.client.create_email_conversation(stream, "soak@example.com", "soak", call.marker)
        elif channel == 1:
            new_id = self.client.create_sms_conversation(stream, "972544444444", call.marker)
        elif channel == 2:
            new_id = self.client.create_whatsapp_template_conversation(
                stream, "972544444444", "soak_template", call.marker
            )
        else:
            new_id = self.client.create_chat_conversation(stream, "972544444444", call.marker)
        call.result = str(new_id)
        self.convs.add((new_id, stream))

    def create_message(self, call: Call) -> None:
        object_id, stream = self.convs.pick(self.rng)
        call.parent = str(object_id)
        if call.seq % 2:
            call.op = "msg_customer"
            new_id = self.client.create_customer_message(stream, object_id, "soak@example.com", call.marker)
        else:
            call.op = "msg_agent"
            new_id = self.client.create_agent_message(stream, object_id, 7, "agent@example.com", call.marker)
        call.result = str(new_id)

    def get_conversation(self, call: Call) -> None:
        object_id, stream = self.convs.pick(self.rng)
        call.op, call.marker, call.parent = "get", "", str(object_id)
        conversation = self.client.get_conversation(stream, object_id)
        call.result = str(object_id)
        call.wrong = conversation.id != object_id

    def set_status(self, call: Call) -> None:
        object_id, _ = self.convs.pick(self.rng)
        status = STATUSES[self.rng.randrange(len(STATUSES))]
        call.op, call.marker, call.parent = "status", "", str(object_id)
        self.client.set_conversation_status(object_id, status)
        call.result = str(status)

    def cw_contact(self, call: Call) -> None:
        call.op = "cw_contact"
        source_id = self.inbox.create_contact(name=call.marker).source_id or "-"
        call.result = source_id
        self.contacts.add(source_id)

    def cw_conversation(self, call: Call) -> None:
        call.op = "cw_conversation"
        source_id = self.contacts.pick(self.rng)
        call.parent = source_id
        conversation_id = self.inbox.create_conversation(source_id, {"soak": call.marker}).id
        call.result = str(conversation_id)
        self.cwconvs.add((source_id, conversation_id))

    def cw_message(self, call: Call) -> None:
        call.op = "cw_message"
        source_id, conversation_id = self.cwconvs.pick(self.rng)
        call.parent = f"{source_id}/{conversation_id}"
        call.result = str(self.inbox.create_message(source_id, conversation_id, call.marker).id)

    def call(self, phase: str, seq: int) -> None:
        """One call of the mix; an operation that needs an earlier object falls back to
        creating it (the same choices as soak.c)."""
        call = Call(phase, seq, f"soak-py-{phase}{self.index:02d}-{seq:06d}")
        roll = self.rng.randrange(100)
        if roll < 18 or (roll < 62 and not self.convs.items):
            action = self.create_conversation
        elif roll < 38:
            action = self.create_message
        elif roll < 52:
            action = self.get_conversation
        elif roll < 62:
            action = self.set_status
        elif roll < 70 or not self.contacts.items:
            action = self.cw_contact
        elif roll < 80 or not self.cwconvs.items:
            action = self.cw_conversation
        else:
            action = self.cw_message
        try:
            action(call)
        except commbox.CommboxError as error:
            call.result = "-"
            self.report(call, error)
            return
        self.report(call, None)


def open_fds() -> int:
    # listdir's own descriptor is closed again before it returns.
    return len(os.listdir("/proc/self/fd"))


def rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * (os.sysconf("SC_PAGESIZE") // 1024)


def main() -> int:
    threads = int(os.environ.get("SOAK_THREADS", "16"))
    calls = int(os.environ.get("SOAK_CALLS", "10000"))
    warmup = int(os.environ.get("SOAK_WARMUP", "200"))
    sample_s = int(os.environ.get("SOAK_SAMPLE_MS", "1000")) / 1000
    out_dir = os.environ["SOAK_OUT"]
    client = commbox.Client()
    inbox = client.inbox(os.environ["CHATWOOT_BASE_URL"], os.environ["CHATWOOT_INBOX_IDENTIFIER"])
    files = [open(os.path.join(out_dir, f"calls-{i:02d}.tsv"), "w", buffering=1 << 16) for i in range(threads)]
    workers = [Worker(i, client, inbox, files[i]) for i in range(threads)]
    warm = threading.Barrier(threads + 1)
    go = threading.Barrier(threads + 1)
    crashed: List[BaseException] = []

    def run(worker: Worker) -> None:
        try:
            for seq in range(warmup):
                worker.call("w", seq)
            warm.wait()
            go.wait()
            for seq in range(calls):
                worker.call("m", seq)
        except BaseException as e:  # noqa: BLE001 - a crash fails the soak, with its cause
            crashed.append(e)
            warm.abort()
            go.abort()
        finally:
            worker.out.flush()

    pool = [threading.Thread(target=run, args=(w,), name=f"soak-{w.index}") for w in workers]
    for thread in pool:
        thread.start()
    samples = open(os.path.join(out_dir, "samples.tsv"), "w")

    def sample(label: str, start: float) -> None:
        samples.write(f"{time.monotonic() - start:.3f}\t{label}\t{open_fds()}\t{rss_kib()}\n")
        samples.flush()

    try:
        warm.wait()
    except threading.BrokenBarrierError:
        pass
    start = time.monotonic()
    sample("start", start)
    try:
        go.wait()
    except threading.BrokenBarrierError:
        pass
    deadline = time.monotonic() + sample_s
    for thread in pool:
        while thread.is_alive():
            thread.join(max(0.0, deadline - time.monotonic()))
            if time.monotonic() >= deadline:
                sample("run", start)
                deadline += sample_s
    sample("end", start)
    samples.close()
    for f in files:
        f.close()
    elapsed = time.monotonic() - start
    client.close()
    if crashed:
        print(f"python face: a worker crashed: {crashed[0]!r}", file=sys.stderr)
        return 1
    ok = sum(w.ok for w in workers)
    failed = sum(w.failed for w in workers)
    wrong = sum(w.wrong for w in workers)
    print(
        f"python face: {threads} threads, {threads * (calls + warmup)} calls: {ok} ok, {failed} failed, "
        f"{wrong} wrong answers, {elapsed:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
