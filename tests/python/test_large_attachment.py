"""A 100 MB attachment streams from disk: the bytes arrive intact and the memory of this
process stays flat."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Callable, List

from mock_server import STREAM, MockServer

import commbox

SIZE = 100 * 1024 * 1024
MAX_GROWTH = 32 * 1024 * 1024


def write_file(path: Path, size: int) -> str:
    """Writes `size` pseudo-random bytes in 1 MiB chunks; returns their SHA-256."""
    digest = hashlib.sha256()
    chunk = bytearray(os.urandom(1024 * 1024))
    with path.open("wb") as f:
        for i in range(size // len(chunk)):
            chunk[:8] = i.to_bytes(8, "little")  # no two chunks alike
            f.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def status_bytes(field: str) -> int:
    """A size line of /proc/self/status (`VmRSS`, `VmHWM`), in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def peak_rss_growth(action: Callable[[], None]) -> int:
    """How far above its starting point this process's resident memory went during `action`.

    The kernel's peak (VmHWM) is reset first by writing 5 to /proc/self/clear_refs, so an
    earlier test's peak does not count; samples every 5 ms back it up where that is refused.
    """
    start = status_bytes("VmRSS")
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        resettable = True
    except OSError:
        resettable = False
    peak = [start]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak.append(status_bytes("VmRSS"))
            done.wait(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        action()
    finally:
        done.set()
        sampler.join()
    peak.append(status_bytes("VmHWM") if resettable else status_bytes("VmRSS"))
    return max(peak) - start


def test_100_mb_streams_with_flat_memory(client: commbox.Client, mock: MockServer, tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    sha = write_file(path, SIZE)
    client.system_status()  # warm up the connection pool
    ids: List[int] = []
    growth = peak_rss_growth(
        lambda: ids.append(
            client.create_email_conversation(STREAM, "a@b.co", "big", "see attached", attachments=[path])
        )
    )
    (stored,) = mock.objects()
    assert stored["id"] == ids[0]
    (attachment,) = stored["attachments"]
    assert attachment["size"] == SIZE
    assert attachment["sha256"] == sha
    print(f"peak RSS growth during the 100 MB upload: {growth / 2**20:.1f} MiB")
    assert growth < MAX_GROWTH, f"peak RSS grew by {growth / 2**20:.1f} MiB"
    path.unlink()  # 100 MB is a lot to leave in pytest's kept temporary directories
