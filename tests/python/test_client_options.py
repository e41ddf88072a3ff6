"""Client settings: the keyword arguments are the core's ClientOptions, with its defaults,
its ``COMMBOX_*`` variables (an explicit value wins) and its checks."""

from __future__ import annotations

import pytest
from mock_server import DEFAULT_KEY, MockServer

import commbox
from commbox import _commbox


def test_an_explicit_value_wins_over_the_environment(mock: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMBOX_API_KEY", DEFAULT_KEY)
    monkeypatch.setenv("COMMBOX_BASE_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("COMMBOX_TIMEOUT", "-1")
    with pytest.raises(commbox.ValidationError) as e:
        commbox.Client()
    assert e.value.field == "timeout (COMMBOX_TIMEOUT)"
    assert str(e.value) == "timeout (COMMBOX_TIMEOUT): must be a positive number of seconds"
    # The arguments replace the variables; the key still comes from the environment.
    with commbox.Client(base_url=mock.url, timeout=5) as client:
        assert client.base_url == mock.url.rstrip("/")
        assert client.system_status().http_status == 200


def test_settings_are_checked_by_the_core(mock: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMMBOX_API_KEY", raising=False)
    with pytest.raises(commbox.ValidationError) as e:
        commbox.Client(base_url=mock.url)
    assert str(e.value) == "api_key: required (pass it or set COMMBOX_API_KEY)"
    for bad in (0, -1.5, float("nan"), float("inf")):
        with pytest.raises(commbox.ValidationError) as e:
            commbox.Client(api_key="k", base_url=mock.url, timeout=bad)
        assert str(e.value) == "timeout: must be a positive number of seconds"
        with pytest.raises(commbox.ValidationError) as e:
            commbox.InboxClient(mock.url, "inbox", connect_timeout=bad)
        assert str(e.value) == "connect_timeout: must be a positive number of seconds"
    monkeypatch.setenv("COMMBOX_MAX_RETRIES", "many")
    with pytest.raises(commbox.ValidationError) as e:
        commbox.InboxClient(mock.url, "inbox")
    assert e.value.field == "max_retries (COMMBOX_MAX_RETRIES)"
    commbox.InboxClient(mock.url, "inbox", max_retries=0).close()


def test_the_native_clients_take_the_options_dict(mock: MockServer) -> None:
    with pytest.raises(TypeError, match="unexpected client option"):
        _commbox.NativeClient({"api_key": "k", "timeout_ms": 5})
    with pytest.raises(TypeError, match="timeout"):
        _commbox.NativeClient({"api_key": "k", "timeout": "soon"})
    native = _commbox.NativeClient({"api_key": "k", "base_url": mock.url, "timeout": None})
    native.close()
