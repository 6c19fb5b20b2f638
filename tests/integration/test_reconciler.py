"""The reconciler re-drives what a crash or a lost message left half-done, exactly once.

Each test builds the broken state a fault leaves behind (a message lost with Redis, a worker
killed holding a claim), then runs the real reconciler with a real worker, Redis and SMTP.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import dramatiq
from click.testing import CliRunner
from dramatiq.brokers.redis import RedisBroker
from flask.testing import FlaskClient
from sqlalchemy import delete, select, update

from core import counters, deliveries
from core.clock import SystemClock
from core.db import Database
from core.deliveries import Delivery, DeliveryStatus, NoticeKind
from core.outbox import OutboxEvent
from core.settings import Settings
from onboarding.models import Enrollment
from screening.models import Application, ApplicationScore, Packet
from tests.candidate_flow import complete
from tests.conftest import CaughtMail
from workers.reconciler import Reconciler

QUEUES = ("screening", "onboarding", "deliveries")


class Later:
    """System time plus an offset: the reconciler sees everything as minutes old."""

    def __init__(self, minutes: float) -> None:
        self.offset = timedelta(minutes=minutes)

    def now(self) -> datetime:
        return SystemClock().now() + self.offset


def _lose_every_unsent_event(db: Database) -> None:
    """What a Redis that lost its queues leaves behind: events marked sent, messages gone."""
    with db.unit_of_work() as session:
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.sent_at.is_(None))
            .values(sent_at=SystemClock().now())
        )


def _reconcile_until_quiet(
    reconciler: Reconciler, broker: RedisBroker, worker: dramatiq.Worker, rounds: int = 6
) -> None:
    for _ in range(rounds):
        reconciler.run_once()
        for queue in QUEUES:
            broker.join(queue, timeout=60_000)
        worker.join()


def test_a_submission_whose_messages_were_lost_is_scored_packed_and_delivered_once(
    client: FlaskClient,
    opening: Any,
    db: Database,
    settings: Settings,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    mail_server: CaughtMail,
    make_user: Callable[..., Any],
    default_definition: Any,
) -> None:
    manager = make_user(openings=(opening,))
    complete(client, opening.slug, default_definition)
    _lose_every_unsent_event(db)
    with db.unit_of_work() as session:
        application_id = session.scalars(
            select(Application.id).filter_by(opening_id=opening.id)
        ).one()
    before = counters.totals(settings, counters.REDRIVES)

    # Every hop's message is lost too: only the reconciler moves this application on.
    reconciler = Reconciler(db, broker, Later(minutes=10), settings)
    for _ in range(3):
        _reconcile_until_quiet(reconciler, broker, worker, rounds=1)
        _lose_every_unsent_event(db)
    _reconcile_until_quiet(reconciler, broker, worker)

    with db.unit_of_work() as session:
        application = session.get_one(Application, application_id)
        packets = session.scalars(select(Packet).filter_by(application_id=application_id)).all()
    assert application.status == "scored"
    assert len(packets) == 1
    assert len(mail_server.to(manager.email)) == 1
    after = counters.totals(settings, counters.REDRIVES)
    assert after.get("scoring", 0) > before.get("scoring", 0)


def test_a_scored_application_without_a_packet_gets_one_packet_and_one_email(
    db: Database,
    settings: Settings,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    mail_server: CaughtMail,
    make_user: Callable[..., Any],
    opening: Any,
    scored_application: Callable[..., int],
) -> None:
    """What an application scored before scoring and packets became one step (or whose
    packet could not be built then) looks like: scored, no packet, no emails asked for."""
    manager = make_user(openings=(opening,))
    application_id = scored_application()
    with db.unit_of_work() as session:
        packet_id = session.scalars(
            select(Packet.id).filter_by(application_id=application_id)
        ).one()
        session.execute(delete(Delivery).where(Delivery.subject_id == packet_id))
        session.execute(delete(Packet).where(Packet.id == packet_id))
    before = counters.totals(settings, counters.REDRIVES)

    _reconcile_until_quiet(Reconciler(db, broker, Later(minutes=10), settings), broker, worker)

    with db.unit_of_work() as session:
        packets = session.scalars(select(Packet).filter_by(application_id=application_id)).all()
        scores = session.scalars(
            select(ApplicationScore).filter_by(application_id=application_id)
        ).all()
    assert len(packets) == 1 and len(scores) == 1
    assert len(mail_server.to(manager.email)) == 1
    after = counters.totals(settings, counters.REDRIVES)
    assert after.get("packets", 0) > before.get("packets", 0)


def test_a_delivery_held_by_a_dead_worker_is_sent_once_after_its_claim_times_out(
    db: Database,
    settings: Settings,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    mail_server: CaughtMail,
    make_user: Callable[..., Any],
    opening: Any,
    scored_application: Callable[..., int],
) -> None:
    manager = make_user(openings=(opening,))
    application_id = scored_application()  # built in-process: its delivery is pending
    with db.unit_of_work() as session:
        packet_id = session.scalars(
            select(Packet.id).filter_by(application_id=application_id)
        ).one()
        [delivery_id] = deliveries.pending_ids(session, NoticeKind.PACKET_READY, packet_id)
        # A worker claimed it a minute ago: alive as far as anyone can tell.
        session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(claimed_at=SystemClock().now() - timedelta(minutes=1), attempts=1)
        )
    reconciler = Reconciler(db, broker, SystemClock(), settings)
    assert delivery_id not in _stalled(reconciler)  # a live claim is left alone
    with db.unit_of_work() as session:  # ...until the claim is older than its timeout
        session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(claimed_at=SystemClock().now() - timedelta(hours=1))
        )
    _reconcile_until_quiet(reconciler, broker, worker)

    with db.unit_of_work() as session:
        delivery = session.get_one(Delivery, delivery_id)
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2
    [email] = mail_server.to(manager.email)
    assert email["Message-ID"] == delivery.message_id


def _stalled(reconciler: Reconciler) -> list[int]:
    from workers.actors.deliveries import policy

    with reconciler.db.unit_of_work() as session:
        return deliveries.stalled(
            session,
            reconciler.clock.now(),
            timedelta(minutes=3),
            policy(reconciler.settings),
            10_000,
        )


def test_a_delivery_out_of_attempts_is_marked_failed_and_never_retried(
    db: Database,
    settings: Settings,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    mail_server: CaughtMail,
    make_user: Callable[..., Any],
    opening: Any,
    scored_application: Callable[..., int],
) -> None:
    manager = make_user(openings=(opening,))
    application_id = scored_application()
    with db.unit_of_work() as session:
        packet_id = session.scalars(
            select(Packet.id).filter_by(application_id=application_id)
        ).one()
        [delivery_id] = deliveries.pending_ids(session, NoticeKind.PACKET_READY, packet_id)
        session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(attempts=settings.delivery_max_attempts, last_error="SMTPDataError 554")
        )
    _reconcile_until_quiet(Reconciler(db, broker, Later(minutes=10), settings), broker, worker)
    broker.get_actor("send_deliveries").send(delivery_ids=[delivery_id])
    broker.join("deliveries", timeout=30_000)
    worker.join()

    with db.unit_of_work() as session:
        delivery = session.get_one(Delivery, delivery_id)
        failed_ids = [row.id for row in deliveries.failed(session, None, limit=10_000)]
    assert delivery.status == DeliveryStatus.FAILED and delivery_id in failed_ids
    assert delivery.attempts == settings.delivery_max_attempts
    assert mail_server.to(manager.email) == []


def test_a_notice_that_cannot_be_composed_stops_at_the_attempt_cap(
    db: Database, settings: Settings, broker: RedisBroker, worker: dramatiq.Worker, opening: Any
) -> None:
    """No retry storm: a broken notice (here, its packet is gone) fails for good once the
    attempts run out, and the actor stops raising."""
    with db.unit_of_work() as session:
        delivery_id = deliveries.request(
            session,
            SystemClock(),
            NoticeKind.PACKET_READY,
            2_000_000_000,
            None,
            company_id=opening.company_id,
        )
    actor = broker.get_actor("send_deliveries")
    for _ in range(settings.delivery_max_attempts + 2):
        _try(actor.fn, [delivery_id])
    with db.unit_of_work() as session:
        delivery = session.get_one(Delivery, delivery_id)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == settings.delivery_max_attempts
    assert delivery.last_error == "NoResultFound"


def _try(fn: Callable[[list[int]], None], delivery_ids: list[int]) -> None:
    from workers.actors.deliveries import DeliveryFailed

    with contextlib.suppress(DeliveryFailed):
        fn(delivery_ids)


def test_an_accepted_hire_whose_event_was_lost_is_enrolled_once(
    db: Database,
    settings: Settings,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    hired: Callable[..., int],
) -> None:
    application_id = hired(start_date=date.today() + timedelta(days=20))
    _lose_every_unsent_event(db)
    _reconcile_until_quiet(Reconciler(db, broker, Later(minutes=10), settings), broker, worker)
    with db.unit_of_work() as session:
        enrolled = session.scalars(
            select(Enrollment).filter_by(application_id=application_id)
        ).all()
    assert len(enrolled) == 1


def test_status_json_reports_what_is_stuck(
    db: Database, settings: Settings, opening: Any, client: FlaskClient, default_definition: Any
) -> None:
    from cli.main import main

    complete(client, opening.slug, default_definition)
    env = {
        "ONRAMP_DATABASE_URL": settings.database_url,
        "ONRAMP_REDIS_URL": settings.redis_url,
        "ONRAMP_REDIS_NAMESPACE": settings.redis_namespace,
    }
    result = CliRunner().invoke(main, ["status", "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) == {
        "applications",
        "packets_missing",
        "deliveries_pending",
        "deliveries_failed",
        "steps_due_undelivered",
        "outbox_unsent",
    }
    assert report["applications"].get("submitted", 0) >= 1
    assert all(isinstance(report[key], int) for key in report if key != "applications")
    plain = CliRunner().invoke(main, ["status"], env=env)
    assert plain.exit_code == 0 and "packets missing" in plain.output
