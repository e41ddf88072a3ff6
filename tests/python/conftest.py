"""Fixtures: one mock server per test session, reset before each test, and clients on it
(CommBox, and Chatwoot's seeded inbox)."""

from __future__ import annotations

import os
from typing import Iterator

import pytest
from mock_server import CHATWOOT_INBOX, DEFAULT_KEY, MockServer

import commbox


@pytest.fixture(scope="session")
def mock_server() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


@pytest.fixture
def mock(mock_server: MockServer) -> MockServer:
    """The session's mock server, emptied."""
    mock_server.reset()
    return mock_server


@pytest.fixture(autouse=True)
def no_commbox_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from the tests, not from the shell that runs them."""
    for name in list(os.environ):
        if name.startswith("COMMBOX_") and name != "COMMBOX_MOCK_BIN":
            monkeypatch.delenv(name)


@pytest.fixture
def client(mock: MockServer) -> Iterator[commbox.Client]:
    """A client on the mock."""
    with commbox.Client(api_key=DEFAULT_KEY, base_url=mock.url, timeout=10) as c:
        yield c


@pytest.fixture
def inbox(mock: MockServer) -> Iterator[commbox.InboxClient]:
    """A Chatwoot inbox client on the mock's seeded inbox."""
    with commbox.InboxClient(mock.url, CHATWOOT_INBOX, timeout=10) as c:
        yield c
