"""Admins register webhook endpoints (secret shown once), read each endpoint's delivery log
and send a delivery again; refused URLs come back with what was typed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from core.clock import FrozenClock, SystemClock
from core.db import Database
from core.deliveries import DeliveryStatus
from core.events import APPLICATION_SCORED, WEBHOOK_REQUESTED
from core.outbox import OutboxEvent
from core.settings import Settings
from core.webhook_deliveries import WebhookDelivery
from core.webhook_endpoints import WebhookEndpoint
from tests.conftest import _app, csrf_token
from tests.integration.conftest import login
from tests.integration.test_outbound_webhooks import (
    actors,
    event_of,
    hook_clock,
    hook_settings,
    receiver,
    wait_for_retry,
)
from tests.webhook_receiver import Receiver
from workers.actors.webhooks import fan_out_webhooks, send_webhook

# Fixtures shared with the delivery tests.
__all__ = ["actors", "hook_clock", "hook_settings", "receiver"]


@pytest.fixture
def local_app(hook_settings: Settings, db: Database) -> Flask:
    """An app whose settings allow a receiver on this machine."""
    return _app(hook_settings, db, SystemClock())


@pytest.fixture
def admin_client(local_app: Flask, make_user: Callable[..., Any]) -> Iterator[FlaskClient]:
    client = local_app.test_client()
    login(client, make_user(role="admin"))
    yield client


def add(client: FlaskClient, url: str, events: list[str], secret: str = "") -> Any:
    page = client.get("/admin/webhooks")
    return client.post(
        "/admin/webhooks",
        data={"url": url, "events": events, "secret": secret, "csrf_token": csrf_token(page.text)},
    )


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(
    admin_client: FlaskClient, db: Database, opening: Any, receiver: Receiver
) -> None:
    added = add(admin_client, receiver.url, [APPLICATION_SCORED, "decision.made"])
    assert added.status_code == 201
    with db.unit_of_work() as session:
        endpoint = session.scalars(
            select(WebhookEndpoint).filter_by(company_id=opening.company_id)
        ).one()
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in added.text
    again = admin_client.get("/admin/webhooks")
    assert receiver.url in again.text and "decision.made" in again.text
    assert endpoint.secret not in again.text


def test_a_private_address_is_refused_and_what_was_typed_is_kept(
    client: FlaskClient, make_user: Callable[..., Any]
) -> None:
    login(client, make_user(role="admin"))
    refused = add(client, "http://169.254.169.254/latest", [APPLICATION_SCORED])
    assert refused.status_code == 422
    assert "private or local address" in refused.text
    assert 'value="http://169.254.169.254/latest"' in refused.text
    no_events = add(client, "https://hooks.invalid/x", [])
    assert no_events.status_code == 422 and "Pick at least one event" in no_events.text


def test_the_delivery_log_shows_each_attempt_and_sends_again(
    actors: Settings,
    hook_clock: FrozenClock,
    admin_client: FlaskClient,
    db: Database,
    opening: Any,
    receiver: Receiver,
    scored_application: Callable[..., int],
) -> None:
    add(admin_client, receiver.url, [APPLICATION_SCORED], secret="a-secret-of-our-own-choosing")
    receiver.reply(500)
    fan_out_webhooks(event_of(db, APPLICATION_SCORED, scored_application()))
    with db.unit_of_work() as session:
        endpoint_id, delivery_id = session.execute(
            select(WebhookDelivery.endpoint_id, WebhookDelivery.id)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookEndpoint.company_id == opening.company_id)
        ).one()
    assert send_webhook(delivery_id) is DeliveryStatus.PENDING
    wait_for_retry(db, hook_clock, delivery_id)
    send_webhook(delivery_id)

    log = admin_client.get(f"/admin/webhooks/{endpoint_id}")
    assert log.status_code == 200
    assert "Delivered" in log.text and "HTTP 200" in log.text and "HTTP 500" in log.text
    assert "{&#34;ok&#34;: true}" in log.text and " ms" in log.text
    resent = admin_client.post(
        f"/admin/webhooks/{endpoint_id}/deliveries/{delivery_id}/resend",
        data={"csrf_token": csrf_token(log.text)},
    )
    assert resent.status_code == 302
    with db.unit_of_work() as session:
        assert session.get_one(WebhookDelivery, delivery_id).status == DeliveryStatus.PENDING
        announced = session.scalars(
            select(OutboxEvent.payload).where(OutboxEvent.name == WEBHOOK_REQUESTED)
        ).all()
    assert {"webhook_delivery_id": delivery_id} in announced
    assert send_webhook(delivery_id) is DeliveryStatus.SENT
    assert len(receiver.received) == 3


def test_a_removed_endpoint_gets_no_more_events(
    admin_client: FlaskClient,
    db: Database,
    opening: Any,
    receiver: Receiver,
    scored_application: Callable[..., int],
) -> None:
    add(admin_client, receiver.url, [APPLICATION_SCORED])
    with db.unit_of_work() as session:
        endpoint_id = session.scalars(
            select(WebhookEndpoint.id).filter_by(company_id=opening.company_id)
        ).one()
    page = admin_client.get("/admin/webhooks")
    removed = admin_client.post(
        f"/admin/webhooks/{endpoint_id}/remove", data={"csrf_token": csrf_token(page.text)}
    )
    assert removed.status_code == 302
    assert receiver.url not in admin_client.get("/admin/webhooks").text
    with db.unit_of_work() as session:
        event_id = event_of(db, APPLICATION_SCORED, scored_application())
        fan_out_webhooks(event_id)
        assert session.scalars(select(WebhookDelivery).filter_by(event_id=event_id)).all() == []
