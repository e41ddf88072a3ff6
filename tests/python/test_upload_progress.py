"""``on_upload_progress=``: a 5 MiB attachment is reported chunk by chunk, only growing, up to
its size, while the mock stores the same bytes (sync, async and Chatwoot clients); an
exception in the callback is logged and the upload goes on."""

from __future__ import annotations

import _thread
import asyncio
import hashlib
import logging
import os
import threading
from pathlib import Path
from typing import List, Tuple

import pytest
from mock_server import CHATWOOT_INBOX, DEFAULT_KEY, STREAM, MockServer

import commbox

SIZE = 5 * 1024 * 1024 + 3


def big_file(tmp_path: Path) -> Tuple[Path, str]:
    data = os.urandom(SIZE)
    path = tmp_path / "five.bin"
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


class Recorder:
    """An ``on_upload_progress`` callback that keeps what it is told, and on which thread."""

    def __init__(self) -> None:
        self.seen: List[commbox.UploadProgress] = []
        self.threads: List[int] = []

    def __call__(self, progress: commbox.UploadProgress) -> None:
        self.seen.append(progress)
        self.threads.append(threading.get_ident())

    def assert_one_upload(self, name: str = "five.bin", total: int = SIZE) -> None:
        sent = [p.bytes_sent for p in self.seen]
        assert sent[0] == 0, "an attempt starts at 0"
        assert all(b > a for a, b in zip(sent, sent[1:])), "monotonic"
        assert sent[-1] == total, "ends at the total"
        assert len(sent) > total // (64 * 1024), "one call per 64 KiB chunk"
        assert {(p.attachment, p.total_bytes, p.attempt, p.index, p.count) for p in self.seen} == {(name, total, 1, 0, 1)}
        assert len({p.request_id for p in self.seen}) == 1
        assert isinstance(self.seen[0], commbox.UploadProgress)


def test_a_sync_upload_is_reported_up_to_its_size(mock: MockServer, tmp_path: Path) -> None:
    path, sha = big_file(tmp_path)
    progress = Recorder()
    with commbox.Client(api_key=DEFAULT_KEY, base_url=mock.url, on_upload_progress=progress) as client:
        id = client.create_email_conversation(STREAM, "a@b.co", "big", "see attached", attachments=[path])
        client.system_status()  # no attachment: nothing reported
    progress.assert_one_upload()
    assert set(progress.threads) == {threading.get_ident()}, "on the calling thread"
    (stored,) = mock.objects()
    assert stored["id"] == id
    assert (stored["attachments"][0]["size"], stored["attachments"][0]["sha256"]) == (SIZE, sha)
    assert progress.seen[0].request_id == mock.requests()[0]["headers"]["x-request-id"]


def test_an_async_upload_is_reported_up_to_its_size(mock: MockServer, tmp_path: Path) -> None:
    path, sha = big_file(tmp_path)
    progress = Recorder()

    async def main() -> int:
        async with commbox.AsyncClient(api_key=DEFAULT_KEY, base_url=mock.url, on_upload_progress=progress) as client:
            return await client.create_email_conversation(STREAM, "a@b.co", "big", "see attached", attachments=[path])

    id = asyncio.run(main())
    progress.assert_one_upload()
    (stored,) = mock.objects()
    assert (stored["id"], stored["attachments"][0]["sha256"]) == (id, sha)


def test_a_chatwoot_upload_is_reported(mock: MockServer, tmp_path: Path) -> None:
    path, _ = big_file(tmp_path)
    progress = Recorder()
    with commbox.InboxClient(mock.url, CHATWOOT_INBOX, on_upload_progress=progress) as inbox:
        contact = inbox.create_contact(name="Dana")
        conversation = inbox.create_conversation(contact)
        inbox.create_message(contact, conversation.id, "the file", attachments=[path])
    progress.assert_one_upload()


def test_an_exception_in_the_callback_is_logged_and_the_upload_goes_on(
    mock: MockServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path, sha = big_file(tmp_path)
    calls: List[int] = []

    def broken(progress: commbox.UploadProgress) -> None:
        calls.append(progress.bytes_sent)
        raise ValueError("a bug in the progress bar")

    with caplog.at_level(logging.ERROR, logger="commbox"):
        with commbox.Client(api_key=DEFAULT_KEY, base_url=mock.url, on_upload_progress=broken) as client:
            client.create_email_conversation(STREAM, "a@b.co", "big", "see attached", attachments=[path])
            assert calls == [0], "not called again during that call"
            client.create_email_conversation(STREAM, "a@b.co", "again", "see attached", attachments=[path])
            assert calls == [0, 0], "called again in the next call"
    assert [o["attachments"][0]["sha256"] for o in mock.objects()] == [sha, sha]
    errors = [r for r in caplog.records if r.name == "commbox" and r.levelno == logging.ERROR]
    assert len(errors) == 2
    assert "on_upload_progress raised" in errors[0].getMessage()
    assert errors[0].exc_info and isinstance(errors[0].exc_info[1], ValueError)


def test_ctrl_c_during_an_upload_is_raised_when_the_call_returns(mock: MockServer, tmp_path: Path) -> None:
    """Ctrl-C lands in the callback (the main thread runs Python code only there): it is not
    lost, but raised once the call is done, and the callback is not called after it."""
    path, _ = big_file(tmp_path)
    calls: List[int] = []

    def interrupted(progress: commbox.UploadProgress) -> None:
        calls.append(progress.bytes_sent)
        if len(calls) == 3:
            _thread.interrupt_main()  # as if Ctrl-C arrived now

    with commbox.Client(api_key=DEFAULT_KEY, base_url=mock.url, on_upload_progress=interrupted) as client:
        with pytest.raises(KeyboardInterrupt):
            client.create_email_conversation(STREAM, "a@b.co", "big", "see attached", attachments=[path])
    assert len(calls) == 3
    assert len(mock.objects()) == 1, "the upload itself went on to its end"


def test_the_callback_must_be_callable() -> None:
    with pytest.raises(TypeError, match="on_upload_progress must be callable"):
        commbox.Client(api_key=DEFAULT_KEY, on_upload_progress=42)  # type: ignore[arg-type]
