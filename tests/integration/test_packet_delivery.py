"""Packets through the real pipeline: real worker, real Redis, real SMTP server."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker
from flask.testing import FlaskClient
from sqlalchemy import select

from core.clock import SystemClock
from core.db import Database
from core.deliveries import Delivery, DeliveryStatus, NoticeKind
from screening.models import Application, Packet
from tests.candidate_flow import complete
from tests.conftest import CaughtMail
from workers.relay import Relay


def _pipeline(relay: Relay, broker: RedisBroker, worker: dramatiq.Worker) -> None:
    """Relay and drain until every event has run."""
    for _ in range(2):
        relay.drain()
        broker.join("screening", timeout=30_000)
        worker.join()


def _application(db: Database, opening_id: int) -> int:
    with db.unit_of_work() as session:
        return session.scalars(select(Application.id).filter_by(opening_id=opening_id)).one()


def test_duplicate_submitted_events_make_one_packet_and_one_email_per_manager(
    client: FlaskClient,
    opening: Any,
    db: Database,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    mail_server: CaughtMail,
    make_user: Callable[..., Any],
    default_definition: Any,
) -> None:
    first, second = make_user(openings=(opening,)), make_user(openings=(opening,))
    complete(client, opening.slug, default_definition)
    application_id = _application(db, opening.id)
    relay = Relay(db, broker, SystemClock())
    _pipeline(relay, broker, worker)
    screen = broker.get_actor("screen_applications")
    for _ in range(3):  # redelivered, and re-driven by the reconciler
        screen.send(application_ids=[application_id])
    _pipeline(relay, broker, worker)

    with db.unit_of_work() as session:
        assert (
            len(session.scalars(select(Packet).filter_by(application_id=application_id)).all()) == 1
        )
    for manager in (first, second):
        [email] = mail_server.to(manager.email)
        assert email["Subject"] == f"Interview packet ready: {opening.title}"
        assert "Ada" not in email["Subject"]  # no candidate PII in the subject
        assert f"/manager/applications/{application_id}" in email.get_content()


@pytest.mark.slow
def test_smtp_down_then_up_delivers_exactly_one_email(
    client: FlaskClient,
    opening: Any,
    db: Database,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    mail_server: CaughtMail,
    make_user: Callable[..., Any],
    default_definition: Any,
) -> None:
    manager = make_user(openings=(opening,))
    complete(client, opening.slug, default_definition)
    application_id = _application(db, opening.id)
    relay = Relay(db, broker, SystemClock())
    mail_server.stop()
    try:
        relay.drain()  # screen_applications: scored and built, then the email fails
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not _delivery_error(db, application_id):
            time.sleep(0.1)
        assert _delivery_error(db, application_id), "the first attempt should have failed"
    finally:
        mail_server.start()
    broker.join("screening", timeout=60_000)  # the retry (1-2 s backoff) delivers
    worker.join()
    assert len(mail_server.to(manager.email)) == 1
    delivery = _delivery(db, application_id)
    # The outage gave its attempts back: only errors of the notice itself use them up.
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1
    assert delivery.sent_at is not None and delivery.last_error is None


def _delivery(db: Database, application_id: int) -> Delivery:
    found = _delivery_if_any(db, application_id)
    assert found is not None
    return found


def _delivery_if_any(db: Database, application_id: int) -> Delivery | None:
    with db.unit_of_work() as session:
        return session.scalars(
            select(Delivery)
            .join(Packet, Packet.id == Delivery.subject_id)
            .where(
                Delivery.kind == NoticeKind.PACKET_READY, Packet.application_id == application_id
            )
        ).one_or_none()


def _delivery_error(db: Database, application_id: int) -> str | None:
    """The latest attempt's error; None before the packet (and its delivery) exists."""
    delivery = _delivery_if_any(db, application_id)
    error = delivery.last_error if delivery else None
    # The error's type and SMTP code only: SMTP error texts can quote a person's address.
    assert error is None or "@" not in error
    return error


def test_a_panel_is_emailed_in_one_batch_and_a_member_who_left_does_not_hold_it_up(
    client: FlaskClient,
    opening: Any,
    db: Database,
    broker: RedisBroker,
    mail_server: CaughtMail,
    make_user: Callable[..., Any],
    default_definition: Any,
) -> None:
    from core.accounts import User
    from screening import screenings
    from workers.actors import deliveries as delivery_actor

    staying = [make_user(openings=(opening,)) for _ in range(3)]
    leaving = make_user(openings=(opening,))
    complete(client, opening.slug, default_definition)
    application_id = _application(db, opening.id)
    with db.unit_of_work() as session:  # packet built, emails asked for, none sent yet
        packet_id = screenings.screen(session, SystemClock(), [application_id])[
            application_id
        ].packet_id
    with db.unit_of_work() as session:  # a member leaves before the emails go out
        session.get_one(User, leaving.id).is_active = False

    delivery_actor.send_pending(NoticeKind.PACKET_READY, [packet_id])
    delivery_actor.send_pending(NoticeKind.PACKET_READY, [packet_id])  # a redelivered message

    for member in staying:
        assert len(mail_server.to(member.email)) == 1
    assert mail_server.to(leaving.email) == []
    with db.unit_of_work() as session:
        statuses = {
            d.recipient_user_id: (d.status, d.attempts)
            for d in session.scalars(
                select(Delivery).filter_by(kind=NoticeKind.PACKET_READY, subject_id=packet_id)
            )
        }
    assert statuses == {
        **{member.id: (DeliveryStatus.SENT, 1) for member in staying},
        leaving.id: (DeliveryStatus.SKIPPED, 1),
    }
