"""SSRF: webhooks go to public http(s) addresses only, checked when an endpoint is saved and
again when it is called, unless ONRAMP_WEBHOOKS_ALLOW_PRIVATE says otherwise."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import select

from core import webhook_endpoints
from core.clock import FrozenClock, SystemClock
from core.db import Database
from core.deliveries import DeliveryStatus
from core.events import APPLICATION_SCORED
from core.safe_urls import is_public
from core.settings import Settings
from core.webhook_deliveries import WebhookAttempt, WebhookDelivery
from core.webhook_endpoints import InvalidEndpoint
from tests.integration.test_outbound_webhooks import add_endpoint, event_of, receiver
from tests.webhook_receiver import Receiver
from workers import runtime
from workers.actors.webhooks import fan_out_webhooks, send_webhook

__all__ = ["receiver"]  # the local receiver fixture, shared with the delivery tests

REFUSED = [
    "http://127.0.0.1/hooks",
    "http://localhost:8000/hooks",
    "http://[::1]/hooks",
    "http://[::ffff:127.0.0.1]/hooks",
    "http://10.1.2.3/hooks",
    "http://192.168.0.10/hooks",
    "http://172.16.5.4/hooks",
    "http://169.254.169.254/latest/meta-data",
    "http://100.64.0.1/hooks",
    "http://0.0.0.0/hooks",
    "http://224.0.0.1/hooks",
    "http://[fe80::1]/hooks",
    "http://[fd00::1]/hooks",
]
BAD_SHAPE = [
    "ftp://93.184.216.34/hooks",
    "file:///etc/passwd",
    "gopher://93.184.216.34/",
    "https:///no-host",
    "http://user:pass@93.184.216.34/",
    "http://93.184.216.34:99999/",
    "not a url",
]


def create(db: Database, company_id: int, url: str, *, allow_private: bool = False) -> None:
    with db.unit_of_work() as session:
        webhook_endpoints.create_endpoint(
            session,
            SystemClock(),
            company_id=company_id,
            url=url,
            events=[APPLICATION_SCORED],
            allow_private=allow_private,
            actor="test",
        )


@pytest.mark.parametrize("url", REFUSED)
def test_local_private_and_multicast_addresses_are_refused_when_saved(
    db: Database, opening: Any, url: str
) -> None:
    with pytest.raises(InvalidEndpoint, match="private or local address") as refused:
        create(db, opening.company_id, url)
    assert refused.value.field == "url"


@pytest.mark.parametrize("url", BAD_SHAPE)
def test_only_http_urls_with_a_host_are_accepted(db: Database, opening: Any, url: str) -> None:
    with pytest.raises(InvalidEndpoint) as refused:
        create(db, opening.company_id, url, allow_private=True)
    assert refused.value.field == "url"


def test_public_addresses_pass_the_address_rule() -> None:
    for address in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"):
        assert is_public(ipaddress.ip_address(address))


def test_the_setting_lets_a_local_receiver_be_saved(db: Database, opening: Any) -> None:
    create(db, opening.company_id, "http://127.0.0.1:9/hooks", allow_private=True)


@pytest.fixture
def strict_actors(broker: RedisBroker, db: Database, settings: Settings) -> Iterator[Settings]:
    """Actors with private addresses refused (the production default)."""
    strict = settings.model_copy(
        update={"webhooks_allow_private": False, "webhook_max_attempts": 2}
    )
    previous = runtime.current()
    runtime.install(runtime.Runtime(strict, db, FrozenClock(SystemClock().now())))
    yield strict
    runtime.install(previous)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_an_endpoint_that_now_points_inside_is_refused_at_connect_time(
    strict_actors: Settings,
    db: Database,
    opening: Any,
    receiver: Receiver,
    scored_application: Callable[..., int],
    host: str,
) -> None:
    """Saved while allowed (or before its DNS changed), called when not: nothing is sent."""
    url = receiver.url.replace("127.0.0.1", host)
    endpoint_id, _ = add_endpoint(db, opening.company_id, url)
    fan_out_webhooks(event_of(db, APPLICATION_SCORED, scored_application()))
    with db.unit_of_work() as session:
        delivery_id = session.scalars(
            select(WebhookDelivery.id).filter_by(endpoint_id=endpoint_id)
        ).one()
    assert send_webhook(delivery_id) is DeliveryStatus.PENDING
    runtime.current().clock.advance(hours=1)  # type: ignore[attr-defined]  # past the retry
    assert send_webhook(delivery_id) is DeliveryStatus.FAILED
    assert receiver.received == []
    with db.unit_of_work() as session:
        errors = session.scalars(
            select(WebhookAttempt.error).filter_by(delivery_id=delivery_id)
        ).all()
    assert errors == ["refused: not a public address"] * 2
