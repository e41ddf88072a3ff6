"""One client shared between threads: parallel calls with the GIL released, no lost or
doubled requests, and no deadlock between the GIL, logging and the client's own locks."""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, List

from mock_server import DEFAULT_KEY, STREAM, MockServer

import commbox


def run_threads(count: int, target: Callable[[int], None], deadline: float = 120.0) -> None:
    """Runs `target(i)` on `count` daemon threads; fails (instead of hanging) past `deadline`."""
    errors: List[BaseException] = []

    def body(i: int) -> None:
        try:
            target(i)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    end = time.monotonic() + deadline
    for t in threads:
        t.join(max(0.0, end - time.monotonic()))
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"threads still running after {deadline} s (deadlock?): {stuck}"
    assert not errors, errors[0]


def test_8_threads_x_500_creates_on_one_client(client: commbox.Client, mock: MockServer) -> None:
    ids: List[int] = []
    lock = threading.Lock()

    def send(worker: int) -> None:
        mine = [client.create_sms_conversation(STREAM, "972544444444", f"w{worker} n{n}") for n in range(500)]
        with lock:
            ids.extend(mine)

    run_threads(8, send)
    assert len(ids) == 4000
    assert len(set(ids)) == 4000
    stored = mock.objects()
    assert len(stored) == 4000
    assert {o["id"] for o in stored} == set(ids)


def test_calls_release_the_gil(client: commbox.Client, mock: MockServer) -> None:
    # Four calls the mock answers after 600 ms each: together in about 600 ms only if they
    # run in parallel, which needs the GIL released while each one waits.
    mock.fault(delay_ms=600, count=4)

    def check(_: int) -> None:
        assert client.system_status().http_status == 200

    started = time.monotonic()
    run_threads(4, check)
    assert time.monotonic() - started < 1.8

    # And Python keeps running on other threads meanwhile.
    mock.fault(delay_ms=800)
    waiting = threading.Thread(target=client.system_status, daemon=True)
    waiting.start()
    time.sleep(0.1)
    spins = 0
    until = time.monotonic() + 0.4
    while time.monotonic() < until:
        spins += 1
    waiting.join(10)
    assert spins > 10_000


def test_logging_from_8_threads_does_not_deadlock(mock: MockServer) -> None:
    """primp#141/#142: clients built in parallel while logging re-takes the GIL deadlocked."""
    records: List[logging.LogRecord] = []

    class SlowHandler(logging.Handler):
        # Holds logging's handler lock for a while, to make any lock-order bug show.
        def emit(self, record: logging.LogRecord) -> None:
            time.sleep(0.0005)
            records.append(record)

    logger = logging.getLogger("commbox")
    handler = SlowHandler(level=logging.DEBUG)
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    shared = commbox.Client(api_key=DEFAULT_KEY, base_url=mock.url)
    try:

        def work(worker: int) -> None:
            # A client of its own, built while the other threads log...
            with commbox.Client(api_key=DEFAULT_KEY, base_url=mock.url) as own:
                for n in range(25):
                    own.create_sms_conversation(STREAM, "972544444444", f"own {worker}/{n}")
                    # ...and the shared one, from every thread at once.
                    shared.system_status()

        run_threads(8, work, deadline=60)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
        shared.close()
    assert len(records) == 8 * 25 * 2
    assert len(mock.objects()) == 8 * 25
