"""Saving a webhook endpoint resolves its host inside a web request: a resolver that does not
answer is given up on after a bounded wait, with a message an admin can act on."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from core import safe_urls


@pytest.fixture
def silent_resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The system resolver, hanging until the test is over (then answering nothing)."""
    over = threading.Event()

    def hang(*_: Any, **__: Any) -> list[Any]:
        over.wait(30)
        raise socket.gaierror("no answer")

    monkeypatch.setattr(socket, "getaddrinfo", hang)
    yield
    over.set()


def test_a_host_that_does_not_resolve_in_time_is_refused_plainly(silent_resolver: None) -> None:
    with pytest.raises(safe_urls.RefusedURL) as refused:
        safe_urls.check_reachable(
            "https://hooks.example.com/onramp", allow_private=False, timeout=0.2
        )
    assert str(refused.value) == (
        "Looking up the host 'hooks.example.com' took longer than 0.2 seconds. Check the "
        "address, or try again in a moment."
    )


def test_saving_waits_a_few_seconds_at_most_by_default() -> None:
    assert 0 < safe_urls.SAVE_LOOKUP_SECONDS <= 5


def test_a_bounded_lookup_still_answers_and_refuses_as_before() -> None:
    assert safe_urls.check_reachable("http://127.0.0.1:9/x", allow_private=True, timeout=2)
    with pytest.raises(safe_urls.RefusedURL, match="private or local address"):
        safe_urls.check_reachable("http://127.0.0.1:9/x", allow_private=False, timeout=2)
    with pytest.raises(safe_urls.RefusedURL, match="could not find the host"):
        safe_urls.check_reachable("http://no-such-host.invalid/x", allow_private=True, timeout=2)
