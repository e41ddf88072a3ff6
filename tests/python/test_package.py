"""The package as Python code sees it: pickle and copy, repr, enums, docstrings, version."""

from __future__ import annotations

import copy
import inspect
import pickle
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mock_server import DEFAULT_KEY, REPO, STREAM, MockServer

import commbox
from commbox import MessageType, ObjectStatusType, ObjectType, StreamProviderType


def test_clients_are_not_picklable_and_copy_to_themselves(client: commbox.Client, mock: MockServer) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(client)
    assert copy.copy(client) is client
    assert copy.deepcopy({"client": client})["client"] is client
    async_client = commbox.AsyncClient(api_key=DEFAULT_KEY, base_url=mock.url)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(async_client)
    assert copy.copy(async_client) is async_client
    with pytest.raises(TypeError):
        pickle.dumps(client._native)


def test_requests_results_and_errors_pickle(client: commbox.Client, mock: MockServer) -> None:
    requests: Any = [
        commbox.EmailConversation("a@b.co", "s", "m", to=[("a@b.co", "A")], user=commbox.User(first_name="J")),
        commbox.SmsConversation("972544444444", "m", status=ObjectStatusType.OPEN),
        commbox.NewMessage.from_agent(1, "a@b.co", "m", attachments=[("a.txt", b"x")]),
        commbox.Attachment(b"data", name="d.bin"),
    ]
    for request in requests:
        assert pickle.loads(pickle.dumps(request)) == request
        assert copy.deepcopy(request) == request
    conversation = client.get_conversation(STREAM, client.create_sms_conversation(STREAM, "972544444444", "m"))
    again = pickle.loads(pickle.dumps(conversation))
    assert again == conversation
    assert again.raw == conversation.raw
    mock.fault(status=429, retry_after="90")
    with pytest.raises(commbox.RateLimitError) as e:
        client.system_status()
    restored = pickle.loads(pickle.dumps(e.value))
    assert type(restored) is commbox.RateLimitError
    assert (restored.retry_after, restored.status, restored.request_id, str(restored)) == (
        90.0,
        429,
        e.value.request_id,
        str(e.value),
    )


def test_repr_never_shows_the_key(mock: MockServer) -> None:
    key = "k-0123456789-very-secret"
    client = commbox.Client(api_key=key, base_url=mock.url)
    assert repr(client) == f"commbox.Client(base_url={mock.url!r})"
    for text in (repr(client), str(client), repr(client._native), repr(vars(client))):
        assert key not in text
    client.close()
    assert repr(client).endswith(", closed)")


def test_enums_accept_unknown_values() -> None:
    assert ObjectType(5) is ObjectType.MAIL
    unknown = ObjectType(99)
    assert unknown == 99 and isinstance(unknown, ObjectType) and isinstance(unknown, int)
    assert unknown.name == "UNKNOWN_99"
    assert not unknown.is_known and ObjectType.MAIL.is_known
    assert ObjectStatusType(12).name == "UNKNOWN_12"
    with pytest.raises(ValueError):
        ObjectType("Mail")  # type: ignore[arg-type]


@pytest.mark.parametrize("enum", [ObjectType, ObjectStatusType, StreamProviderType, MessageType])
def test_enums_match_the_core(enum: Any) -> None:
    def squash(name: str) -> str:
        return re.sub(r"[\s_]", "", name).lower()

    core = commbox._commbox.enum_members(enum.__name__)
    assert [(m.value, squash(m.name)) for m in enum] == [(v, squash(n)) for v, n in core]


def test_version_is_the_crates() -> None:
    cargo = (REPO / "Cargo.toml").read_text()
    match = re.search(r'^version = "([^"]+)"', cargo, re.M)
    assert match and commbox.__version__ == match.group(1)


def public_items() -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for name in commbox.__all__:
        obj = getattr(commbox, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            items.append((name, obj))
            if inspect.isclass(obj):
                for attr, value in vars(obj).items():
                    if attr.startswith("_") or attr in getattr(obj, "__dataclass_fields__", {}):
                        continue
                    if inspect.isfunction(value) or isinstance(value, (property, classmethod)):
                        items.append((f"{name}.{attr}", value))
    return items


def test_every_public_item_has_a_docstring() -> None:
    missing = [name for name, obj in public_items() if not (inspect.getdoc(obj) or "").strip()]
    assert missing == []
    assert commbox.__doc__ and commbox._commbox.NativeClient.__doc__
    assert commbox._commbox.NativeInboxClient.__doc__


def test_stubs_ship_with_the_package() -> None:
    package = Path(commbox.__file__).parent
    assert (package / "py.typed").is_file()
    assert (package / "_commbox.pyi").is_file()


def test_import_does_not_load_asyncio() -> None:
    # asyncio is about half of the import time; only the async clients need it, on first use.
    probe = "import sys, commbox; assert 'asyncio' not in sys.modules, 'asyncio was imported'"
    subprocess.run([sys.executable, "-c", probe], check=True)
