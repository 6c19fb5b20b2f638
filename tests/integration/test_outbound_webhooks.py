"""Outbound webhooks against a real local receiver: signed with the documented recipe, one
delivery per event per endpoint, retried on a 500 and on a timeout, given up after the cap,
sent again on request, and only ever to the event's own company."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker
from flask import Flask
from sqlalchemy import case, select, update

from core import counters, webhook_deliveries, webhook_endpoints
from core.clock import FrozenClock, SystemClock
from core.db import Database
from core.deliveries import DeliveryStatus
from core.events import (
    APPLICATION_SCORED,
    DECISION_MADE,
    ONBOARDING_COMPLETED,
    ONBOARDING_STEP_COMPLETED,
    PACKET_READY,
    WEBHOOK_REQUESTED,
)
from core.outbox import OutboxEvent
from core.settings import Settings
from core.signatures import sign
from core.webhook_deliveries import WebhookAttempt, WebhookDelivery
from onboarding import enrollments
from onboarding.models import StepInstance
from onboarding.sequence import DEFAULT_SEQUENCE, load_sequence
from screening import decisions
from screening.models import Application
from screening.seed import ensure_company, ensure_opening
from tests.webhook_receiver import Receiver, start_receiver
from workers import runtime
from workers.actors.webhooks import fan_out_webhooks, send_webhook
from workers.reconciler import Reconciler
from workers.relay import Relay


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = start_receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def hook_settings(settings: Settings) -> Settings:
    """The receiver listens on 127.0.0.1, which only this setting lets webhooks reach."""
    return settings.model_copy(
        update={
            "webhooks_allow_private": True,
            "webhook_timeout_seconds": 1.0,
            "webhook_max_attempts": 3,
        }
    )


@pytest.fixture
def hook_clock() -> FrozenClock:
    """The actors' clock: it starts now and moves only when a test waits for a retry."""
    return FrozenClock(SystemClock().now())


@pytest.fixture
def actors(
    broker: RedisBroker, db: Database, hook_settings: Settings, hook_clock: FrozenClock
) -> Iterator[Settings]:
    """Actors run in this process with the webhook settings; the previous runtime after."""
    previous = runtime.current()
    runtime.install(runtime.Runtime(hook_settings, db, hook_clock))
    yield hook_settings
    runtime.install(previous)


def next_attempt_at(db: Database, delivery_id: int) -> datetime | None:
    with db.unit_of_work() as session:
        return session.get_one(WebhookDelivery, delivery_id).next_attempt_at


def wait_for_retry(db: Database, clock: FrozenClock, delivery_id: int) -> None:
    """Move the clock to just past the delivery's scheduled retry (no real waiting)."""
    due = next_attempt_at(db, delivery_id)
    assert due is not None and due > clock.now()
    clock.current = due + timedelta(seconds=1)


def add_endpoint(
    db: Database, company_id: int, url: str, events: tuple[str, ...] = (APPLICATION_SCORED,)
) -> tuple[int, str]:
    with db.unit_of_work() as session:
        endpoint, secret = webhook_endpoints.create_endpoint(
            session,
            SystemClock(),
            company_id=company_id,
            url=url,
            events=list(events),
            allow_private=True,
            actor="test",
        )
        return endpoint.id, secret


def event_of(db: Database, name: str, application_id: int) -> int:
    with db.unit_of_work() as session:
        rows = session.execute(
            select(OutboxEvent.id, OutboxEvent.payload)
            .where(OutboxEvent.name == name)
            .order_by(OutboxEvent.id.desc())
            .limit(200)
        ).all()
    return next(id_ for id_, payload in rows if payload.get("application_id") == application_id)


def deliveries_of(db: Database, endpoint_id: int) -> list[WebhookDelivery]:
    with db.unit_of_work() as session:
        return list(session.scalars(select(WebhookDelivery).filter_by(endpoint_id=endpoint_id)))


def attempts_of(db: Database, delivery_id: int) -> list[WebhookAttempt]:
    with db.unit_of_work() as session:
        return list(
            session.scalars(
                select(WebhookAttempt)
                .filter_by(delivery_id=delivery_id)
                .order_by(WebhookAttempt.id)
            )
        )


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The recipe the README documents, written out independently of our code."""
    message = headers["X-Onramp-Timestamp"].encode() + b"." + body
    expected = "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Onramp-Signature"])


def scored_event(
    db: Database, opening: Any, receiver: Receiver, scored_application: Callable[..., int]
) -> tuple[int, str, int, int]:
    """An endpoint wanting application.scored, and one scored application's event."""
    endpoint_id, secret = add_endpoint(db, opening.company_id, receiver.url)
    application_id = scored_application()
    return endpoint_id, secret, application_id, event_of(db, APPLICATION_SCORED, application_id)


def test_a_scored_application_reaches_the_endpoint_signed_with_ids_only(
    actors: Settings,
    db: Database,
    opening: Any,
    receiver: Receiver,
    scored_application: Callable[..., int],
) -> None:
    endpoint_id, secret, application_id, event_id = scored_event(
        db, opening, receiver, scored_application
    )
    fan_out_webhooks(event_id)
    [delivery] = deliveries_of(db, endpoint_id)
    assert send_webhook(delivery.id) is DeliveryStatus.SENT

    [request] = receiver.received
    assert verify(secret, request.headers, request.body)
    assert not verify(secret, request.headers, request.body.replace(b"}", b" }", 1))
    document = json.loads(request.body)
    assert document["event"] == APPLICATION_SCORED and document["event_id"] == event_id
    assert document["data"] == {"application_id": application_id}
    assert request.headers["X-Onramp-Event"] == APPLICATION_SCORED
    [attempt] = attempts_of(db, delivery.id)
    assert attempt.status_code == 200 and attempt.response_snippet == '{"ok": true}'
    assert attempt.latency_ms >= 0 and attempt.error is None


def test_one_delivery_per_event_per_endpoint_when_the_actors_run_twice(
    actors: Settings,
    db: Database,
    opening: Any,
    receiver: Receiver,
    scored_application: Callable[..., int],
) -> None:
    endpoint_id, _, _, event_id = scored_event(db, opening, receiver, scored_application)
    fan_out_webhooks(event_id)
    fan_out_webhooks(event_id)
    [delivery] = deliveries_of(db, endpoint_id)
    assert send_webhook(delivery.id) is DeliveryStatus.SENT
    assert send_webhook(delivery.id) is None
    assert len(receiver.received) == 1


def test_a_receiver_error_is_retried_when_its_retry_is_due_and_the_attempts_are_logged(
    actors: Settings,
    hook_clock: FrozenClock,
    db: Database,
    opening: Any,
    receiver: Receiver,
    scored_application: Callable[..., int],
) -> None:
    endpoint_id, _, _, event_id = scored_event(db, opening, receiver, scored_application)
    receiver.reply(500)
    fan_out_webhooks(event_id)
    [delivery] = deliveries_of(db, endpoint_id)
    assert send_webhook(delivery.id) is DeliveryStatus.PENDING
    assert send_webhook(delivery.id) is None  # a duplicate message before the retry is due
    assert len(receiver.received) == 1
    wait_for_retry(db, hook_clock, delivery.id)
    assert send_webhook(delivery.id) is DeliveryStatus.SENT
    assert next_attempt_at(db, delivery.id) is None
    first, second = attempts_of(db, delivery.id)
    assert (first.status_code, first.response_snippet) == (500, "receiver says no")
    assert second.status_code == 200
    assert len(receiver.received) == 2
    assert receiver.received[0].body == receiver.received[1].body


def test_a_receiver_that_times_out_is_retried(
    actors: Settings,
    hook_clock: FrozenClock,
    db: Database,
    opening: Any,
    receiver: Receiver,
    scored_application: Callable[..., int],
) -> None:
    endpoint_id, _, _, event_id = scored_event(db, opening, receiver, scored_application)
    receiver.reply("hang")
    fan_out_webhooks(event_id)
    [delivery] = deliveries_of(db, endpoint_id)
    assert send_webhook(delivery.id) is DeliveryStatus.PENDING
    wait_for_retry(db, hook_clock, delivery.id)
    assert send_webhook(delivery.id) is DeliveryStatus.SENT
    first, second = attempts_of(db, delivery.id)
    assert first.status_code is None and first.error == "timed out"
    assert second.status_code == 200


def test_a_delivery_fails_after_the_attempt_cap_and_an_admin_can_resend_it(
    actors: Settings,
    hook_clock: FrozenClock,
    db: Database,
    opening: Any,
    receiver: Receiver,
    scored_application: Callable[..., int],
) -> None:
    endpoint_id, _, _, event_id = scored_event(db, opening, receiver, scored_application)
    receiver.reply(*[503] * actors.webhook_max_attempts)
    fan_out_webhooks(event_id)
    [delivery] = deliveries_of(db, endpoint_id)
    for _ in range(actors.webhook_max_attempts - 1):
        assert send_webhook(delivery.id) is DeliveryStatus.PENDING
        wait_for_retry(db, hook_clock, delivery.id)
    assert send_webhook(delivery.id) is DeliveryStatus.FAILED
    assert send_webhook(delivery.id) is None

    with db.unit_of_work() as session:
        other_company = opening.company_id + 10_000
        assert not webhook_deliveries.resend(session, hook_clock, other_company, delivery.id, "t")
        assert webhook_deliveries.resend(
            session, hook_clock, opening.company_id, delivery.id, "test"
        )
    assert send_webhook(delivery.id) is DeliveryStatus.SENT
    assert len(attempts_of(db, delivery.id)) == actors.webhook_max_attempts + 1


def test_an_event_goes_only_to_its_own_companys_endpoints(
    actors: Settings,
    db: Database,
    opening: Any,
    receiver: Receiver,
    default_definition: Any,
    scored_application: Callable[..., int],
) -> None:
    with db.unit_of_work() as session:
        other = ensure_company(session, SystemClock(), f"other-{opening.slug}", default_definition)
        other_opening = ensure_opening(
            session,
            SystemClock(),
            other,
            default_definition,
            slug=f"o-{opening.slug}",
            title="Advisor",
        )
    ours, _ = add_endpoint(db, opening.company_id, receiver.url, (APPLICATION_SCORED,))
    theirs, _ = add_endpoint(db, other.id, receiver.url, (APPLICATION_SCORED, PACKET_READY))
    application_id = scored_application()
    fan_out_webhooks(event_of(db, APPLICATION_SCORED, application_id))
    fan_out_webhooks(event_of(db, PACKET_READY, application_id))  # ours did not ask for it
    assert [d.event for d in deliveries_of(db, ours)] == [APPLICATION_SCORED]
    assert deliveries_of(db, theirs) == []

    their_application = scored_application(target=other_opening)
    fan_out_webhooks(event_of(db, APPLICATION_SCORED, their_application))
    assert [d.payload for d in deliveries_of(db, theirs)] == [{"application_id": their_application}]
    assert len(deliveries_of(db, ours)) == 1


def test_a_decision_is_announced_with_ids_and_primitives(
    actors: Settings,
    db: Database,
    opening: Any,
    receiver: Receiver,
    scored_application: Callable[..., int],
) -> None:
    endpoint_id, _ = add_endpoint(db, opening.company_id, receiver.url, (DECISION_MADE,))
    application_id = scored_application()
    with db.unit_of_work() as session:
        application = session.get_one(Application, application_id)
        decisions.decide(session, SystemClock(), application, "advance", reason="Strong")
    fan_out_webhooks(event_of(db, DECISION_MADE, application_id))
    [delivery] = deliveries_of(db, endpoint_id)
    assert delivery.payload["decision"] == "advance"
    assert set(delivery.payload) == {
        "application_id",
        "company_id",
        "decision",
        "against_recommendation",
    }


def test_the_relay_and_a_worker_deliver_an_event_end_to_end(
    actors: Settings,
    db: Database,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    opening: Any,
    receiver: Receiver,
    scored_application: Callable[..., int],
) -> None:
    _, secret = add_endpoint(db, opening.company_id, receiver.url)
    scored_application()
    relay = Relay(db, broker, SystemClock())
    for _ in range(3):  # the event, then the delivery it announces
        relay.drain()
        broker.join("webhooks", timeout=60_000)
        worker.join()
    [request] = receiver.received
    assert verify(secret, request.headers, request.body)


def readme_receiver(secret: str) -> Flask:
    """The README's receiver, run as written (with this endpoint's secret)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### Outbound webhooks", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert len(code.strip().splitlines()) <= 16
    namespace: dict[str, Any] = {"__name__": "readme_receiver"}
    exec(code.replace('"whsec_…"', repr(secret)), namespace)  # noqa: S102 - our own README
    return namespace["app"]


def test_the_readme_receiver_accepts_our_delivery_and_refuses_a_forgery(
    actors: Settings,
    db: Database,
    opening: Any,
    receiver: Receiver,
    scored_application: Callable[..., int],
) -> None:
    endpoint_id, secret, _, event_id = scored_event(db, opening, receiver, scored_application)
    fan_out_webhooks(event_id)
    [delivery] = deliveries_of(db, endpoint_id)
    send_webhook(delivery.id)
    [request] = receiver.received
    signed = {name: request.headers[name] for name in ("X-Onramp-Timestamp", "X-Onramp-Signature")}
    client = readme_receiver(secret).test_client()
    post = partial(client.post, "/onramp", content_type="application/json")
    assert post(data=request.body, headers=signed).status_code == 204
    assert post(data=request.body.replace(b"scored", b"xcored"), headers=signed).status_code == 401
    an_hour_ago = str(int(signed["X-Onramp-Timestamp"]) - 3600)
    stale = {  # correctly signed, but replayed an hour later
        "X-Onramp-Timestamp": an_hour_ago,
        "X-Onramp-Signature": sign(secret, an_hour_ago, request.body),
    }
    assert post(data=request.body, headers=stale).status_code == 401
    assert (
        readme_receiver("another-secret-entirely")
        .test_client()
        .post("/onramp", data=request.body, headers=signed)
        .status_code
        == 401
    )


def test_the_reconciler_sends_a_delivery_whose_message_was_lost(
    actors: Settings,
    db: Database,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    opening: Any,
    receiver: Receiver,
    scored_application: Callable[..., int],
) -> None:
    _, secret, _, event_id = scored_event(db, opening, receiver, scored_application)
    with db.unit_of_work() as session:
        [delivery_id] = webhook_deliveries.fan_out(
            session, SystemClock(), event_id, opening.company_id
        )
        # Its announcement was relayed, and the message lost with Redis.
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.name == WEBHOOK_REQUESTED, OutboxEvent.sent_at.is_(None))
            .values(sent_at=SystemClock().now())
        )
    later = SystemClock().now() + timedelta(minutes=10)
    redrives = Reconciler(db, broker, FrozenClock(later), actors).run_once()
    assert redrives.webhooks >= 1
    broker.join("webhooks", timeout=60_000)
    worker.join()
    [request] = receiver.received
    assert verify(secret, request.headers, request.body)
    with db.unit_of_work() as session:
        assert session.get_one(WebhookDelivery, delivery_id).status == DeliveryStatus.SENT


def test_completing_steps_announces_each_step_and_then_the_whole_plan(
    db: Database, hired: Callable[..., int]
) -> None:
    application_id = hired(start_date=date.today() + timedelta(days=14))
    with db.unit_of_work() as session:
        hire = decisions.hire_facts(session, application_id)
        enrollment = enrollments.enroll(
            session, SystemClock(), hire, load_sequence(DEFAULT_SEQUENCE)
        )
        assert enrollment is not None
        sequence = enrollments.sequence_of(enrollment)
        last = next(
            step
            for step in enrollments.steps_of(session, enrollment)
            if step.audience == "new_hire"
            and sequence.steps_by_key[step.step_key].kind != "quiz"
            and sequence.steps_by_key[step.step_key].notes is None
        )
        session.execute(  # every other step done; this one open
            update(StepInstance)
            .where(StepInstance.enrollment_id == enrollment.id)
            .values(status=case((StepInstance.id == last.id, "delivered"), else_="completed"))
        )
        done = enrollments.complete_step(
            session, SystemClock(), enrollment, last.step_key, {"acknowledged": True}
        )
        assert done.completed
        ids = {
            "enrollment_id": enrollment.id,
            "application_id": application_id,
            "company_id": enrollment.company_id,
        }
    with db.unit_of_work() as session:
        recorded = [
            (name, payload)
            for name, payload in session.execute(
                select(OutboxEvent.name, OutboxEvent.payload)
                .where(OutboxEvent.name.in_([ONBOARDING_STEP_COMPLETED, ONBOARDING_COMPLETED]))
                .order_by(OutboxEvent.id)  # the order written: an index on name reads by name
            )
            if payload["enrollment_id"] == ids["enrollment_id"]
        ]
    assert recorded == [
        (ONBOARDING_STEP_COMPLETED, {**ids, "step_key": last.step_key}),
        (ONBOARDING_COMPLETED, ids),
    ]


def test_retries_spread_over_about_a_day_and_the_reconciler_sends_each_when_due(
    actors: Settings,
    hook_clock: FrozenClock,
    db: Database,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    opening: Any,
    receiver: Receiver,
    scored_application: Callable[..., int],
) -> None:
    settings = actors.model_copy(update={"webhook_max_attempts": 8})
    runtime.install(runtime.Runtime(settings, db, hook_clock))
    endpoint_id, _, _, event_id = scored_event(db, opening, receiver, scored_application)
    receiver.reply(*[500] * 7)
    fan_out_webhooks(event_id)
    [delivery] = deliveries_of(db, endpoint_id)
    first_attempt = hook_clock.now()
    assert send_webhook(delivery.id) is DeliveryStatus.PENDING
    reconciler = Reconciler(db, broker, hook_clock, settings)
    waits = []
    for failed in range(1, 8):
        due = next_attempt_at(db, delivery.id)
        assert due is not None
        waits.append(due - hook_clock.now())
        hook_clock.current = due - timedelta(seconds=1)  # not yet: nothing is sent
        reconciler.run_once()
        broker.join("webhooks", timeout=60_000)
        worker.join()
        assert len(receiver.received) == failed
        hook_clock.current = due + timedelta(seconds=1)
        assert reconciler.run_once().webhooks >= 1
        broker.join("webhooks", timeout=60_000)
        worker.join()
        assert len(receiver.received) == failed + 1
    for failed, wait in enumerate(waits, start=1):
        exact = webhook_deliveries.retry_delay(failed, 0.5)
        assert exact * 0.9 <= wait <= exact * 1.1
    assert waits[0] < timedelta(minutes=1) and waits[-1] > timedelta(hours=7)
    assert timedelta(hours=20) < hook_clock.now() - first_attempt < timedelta(hours=26)
    with db.unit_of_work() as session:
        assert session.get_one(WebhookDelivery, delivery.id).status == DeliveryStatus.SENT


# Lost fan-outs: the relay marked an event sent and enqueued its fan-out, then Redis lost it.


def lose_messages(db: Database, application_id: int) -> None:
    """What a Redis wiped after the relay's pass leaves: every event of the application sent,
    their messages (the fan-outs among them) gone."""
    with db.unit_of_work() as session:
        unsent = session.execute(
            select(OutboxEvent.id, OutboxEvent.payload).where(OutboxEvent.sent_at.is_(None))
        ).all()
        ids = [id_ for id_, payload in unsent if payload.get("application_id") == application_id]
        session.execute(
            update(OutboxEvent).where(OutboxEvent.id.in_(ids)).values(sent_at=SystemClock().now())
        )


def happened_ago(db: Database, event_id: int, ago: timedelta) -> None:
    when = SystemClock().now() - ago
    with db.unit_of_work() as session:
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == event_id)
            .values(created_at=when, sent_at=when)
        )


def endpoint_since(db: Database, endpoint_id: int, ago: timedelta) -> None:
    with db.unit_of_work() as session:
        session.get_one(webhook_endpoints.WebhookEndpoint, endpoint_id).created_at = (
            SystemClock().now() - ago
        )


def reconcile_and_settle(
    reconciler: Reconciler, broker: RedisBroker, worker: dramatiq.Worker, rounds: int
) -> None:
    """Reconciler passes, each followed by every message it started (and theirs)."""
    for _ in range(rounds):
        reconciler.run_once()
        for queue in broker.get_declared_queues():
            broker.join(queue, timeout=60_000)
        worker.join()


def redriven_event_ids(caplog: pytest.LogCaptureFixture) -> set[int]:
    return {
        event_id
        for record in caplog.records
        if record.name == "workers.reconciler"
        for event_id in getattr(record, "event_ids", [])
    }


def requests_for(receiver: Receiver, event_id: int) -> list[Any]:
    """This event's requests only: deliveries other tests left may reach a reused port."""
    return [r for r in receiver.received if json.loads(r.body)["event_id"] == event_id]


def test_an_event_whose_fan_out_was_lost_is_delivered_once_after_the_reconciler_runs(
    actors: Settings,
    db: Database,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    opening: Any,
    receiver: Receiver,
    scored_application: Callable[..., int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    endpoint_id, secret, application_id, event_id = scored_event(
        db, opening, receiver, scored_application
    )
    lose_messages(db, application_id)
    before = counters.totals(actors, counters.REDRIVES)

    later = FrozenClock(SystemClock().now() + timedelta(minutes=10))
    # The fan-out, the delivery it announces, then passes that must find nothing more to do.
    reconcile_and_settle(Reconciler(db, broker, later, actors), broker, worker, rounds=4)

    [delivery] = deliveries_of(db, endpoint_id)
    assert delivery.event_id == event_id and delivery.status == DeliveryStatus.SENT
    [request] = requests_for(receiver, event_id)
    assert verify(secret, request.headers, request.body)
    assert event_id in redriven_event_ids(caplog)
    after = counters.totals(actors, counters.REDRIVES)
    assert after.get("webhook_fan_outs", 0) > before.get("webhook_fan_outs", 0)


def test_the_reconciler_leaves_alone_events_fanned_out_too_old_or_older_than_the_endpoint(
    actors: Settings,
    db: Database,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    opening: Any,
    receiver: Receiver,
    scored_application: Callable[..., int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    old_endpoint, _ = add_endpoint(db, opening.company_id, receiver.url, (APPLICATION_SCORED,))
    endpoint_since(db, old_endpoint, timedelta(days=30))
    first, second = scored_application(), scored_application()
    fanned_out = event_of(db, APPLICATION_SCORED, first)
    fan_out_webhooks(fanned_out)  # it ran: only the messages after it are lost
    too_old = event_of(db, APPLICATION_SCORED, second)
    unwatched = event_of(db, PACKET_READY, first)  # wanted only by an endpoint added later
    for application_id in (first, second):
        lose_messages(db, application_id)
    happened_ago(db, too_old, timedelta(days=2))
    new_endpoint, _ = add_endpoint(db, opening.company_id, receiver.url, (PACKET_READY,))

    later = FrozenClock(SystemClock().now() + timedelta(minutes=10))
    reconcile_and_settle(Reconciler(db, broker, later, actors), broker, worker, rounds=2)

    assert not {fanned_out, too_old, unwatched} & redriven_event_ids(caplog)
    assert [d.event_id for d in deliveries_of(db, old_endpoint)] == [fanned_out]
    assert deliveries_of(db, new_endpoint) == []
