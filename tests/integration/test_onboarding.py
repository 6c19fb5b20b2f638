"""Onboarding on real parts: outbox → relay → real worker enrolls; real schedulers and worker
deliver every step exactly once across a simulated 90 days."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import func, select

from core import outbox
from core.clock import FrozenClock, SystemClock
from core.db import Database
from core.events import HIRE_ACCEPTED
from onboarding import enrollments
from onboarding.models import Enrollment, StepInstance
from tests.conftest import CaughtMail
from workers import runtime
from workers.relay import Relay
from workers.scheduler import Scheduler

START = date(2027, 3, 1)


def hire_payload(manager_id: int | None = None, **changes: Any) -> dict[str, Any]:
    application_id = random.randint(10**8, 10**9)
    return {
        "application_id": application_id,
        "company_id": 1,
        "role": "Customer Advisor",
        "start_date": START.isoformat(),
        "manager_user_id": manager_id,
        "new_hire_name": "Nia Newhire",
        "new_hire_email": f"nia-{application_id}@example.com",
        "timezone": "Europe/Berlin",
    } | changes


@pytest.fixture
def clock(broker: RedisBroker) -> Iterator[FrozenClock]:
    """Move the worker's clock (actors read runtime.current().clock) with the test's."""
    frozen = FrozenClock(datetime(2027, 2, 15, 11, 0, tzinfo=UTC))
    rt = runtime.current()
    previous, rt.clock = rt.clock, frozen
    yield frozen
    rt.clock = previous


def _drain(broker: RedisBroker, worker: dramatiq.Worker) -> None:
    broker.join("onboarding", timeout=30_000)
    worker.join()


def _enroll(
    db: Database, broker: RedisBroker, worker: dramatiq.Worker, payload: dict[str, Any]
) -> Enrollment:
    with db.unit_of_work() as session:
        outbox.record(session, SystemClock(), HIRE_ACCEPTED, **payload)
    Relay(db, broker, SystemClock()).drain()
    _drain(broker, worker)
    with db.unit_of_work() as session:
        return session.scalars(
            select(Enrollment).filter_by(application_id=payload["application_id"])
        ).one()


def test_a_duplicated_hire_event_enrolls_once(
    db: Database, broker: RedisBroker, worker: dramatiq.Worker, make_user: Any
) -> None:
    payload = hire_payload(make_user().id)
    enrollment = _enroll(db, broker, worker, payload)
    broker.get_actor("enroll_hire").send(**payload)
    _drain(broker, worker)
    with db.unit_of_work() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(Enrollment)
                .filter_by(application_id=payload["application_id"])
            )
            == 1
        )
        steps = session.scalars(select(StepInstance).filter_by(enrollment_id=enrollment.id)).all()
    sequence = enrollments.sequence_of(enrollment)
    assert sorted(s.step_key for s in steps) == sorted(step.key for step in sequence.steps)
    welcome = next(s for s in steps if s.step_key == sequence.steps[0].key)
    # 09:00 in Berlin, a week before a start date in winter time (UTC+1)
    assert welcome.deliver_at == datetime(2027, 2, 22, 8, 0, tzinfo=UTC)


def test_ninety_days_deliver_every_step_once_with_two_schedulers(
    db: Database,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    clock: FrozenClock,
    mail_server: CaughtMail,
    make_user: Any,
) -> None:
    manager = make_user()
    enrollment = _enroll(db, broker, worker, hire_payload(manager.id))
    neglected = "customer_stories"
    schedulers = [Scheduler(db, broker, clock), Scheduler(db, broker, clock)]
    while clock.now() < datetime(2027, 6, 5, tzinfo=UTC):
        clock.advance(hours=12)
        for scheduler in schedulers:  # two schedulers see the same due rows
            scheduler.tick()
        _drain(broker, worker)
        with db.unit_of_work() as session:
            for step in enrollments.steps_of(session, enrollment):
                if step.status == "delivered" and step.step_key != neglected:
                    enrollments.complete_step(
                        session,
                        clock,
                        enrollment,
                        step.step_key,
                        _answer(enrollment, step),
                        audiences=(step.audience,),
                    )

    with db.unit_of_work() as session:
        steps = enrollments.steps_of(session, enrollment)
    assert all(step.delivered_at is not None for step in steps)
    assert all(step.attempts == 1 for step in steps), [(s.step_key, s.attempts) for s in steps]
    assert {s.step_key for s in steps if s.status != "completed"} == {neglected}
    ids = [m["Message-ID"] for m in mail_server.messages]
    for step in steps:
        assert ids.count(f"<step-{step.id}-new@onramp>") == (
            1 if step.audience == "new_hire" or manager else 0
        )
        follow_ups = 1 if step.step_key == neglected else 0
        assert ids.count(f"<step-{step.id}-remind@onramp>") == follow_ups
        assert ids.count(f"<step-{step.id}-escalate@onramp>") == follow_ups
    [escalation] = [
        m
        for m in mail_server.messages
        if m["Message-ID"] == f"<step-{_id(steps, neglected)}-escalate@onramp>"
    ]
    assert escalation["To"] == manager.email
    assert "/manager/hires/" in escalation.get_content()
    assert "/welcome/" not in escalation.get_content()  # the hire's magic link stays theirs


def test_a_step_waits_for_the_step_it_depends_on(
    db: Database, broker: RedisBroker, worker: dramatiq.Worker, clock: FrozenClock, make_user: Any
) -> None:
    enrollment = _enroll(db, broker, worker, hire_payload(make_user().id))
    sequence = enrollments.sequence_of(enrollment)
    dependent = next(step for step in sequence.steps if step.after)
    clock.current = datetime(2027, 6, 1, tzinfo=UTC)  # everything is due
    with db.unit_of_work() as session:
        due = set(enrollments.due_deliveries(session, clock.now(), 1000))
        ids = {s.step_key: s.id for s in enrollments.steps_of(session, enrollment)}
    assert ids[dependent.key] not in due
    assert ids[dependent.after] in due


def test_a_changed_start_date_moves_pending_steps_only(
    db: Database, broker: RedisBroker, worker: dramatiq.Worker, clock: FrozenClock, make_user: Any
) -> None:
    enrollment = _enroll(db, broker, worker, hire_payload(make_user().id))
    clock.current = datetime(2027, 2, 23, tzinfo=UTC)  # the welcome step is due
    Scheduler(db, broker, clock).tick()
    _drain(broker, worker)
    with db.unit_of_work() as session:
        before = {
            s.step_key: (s.status, s.deliver_at) for s in enrollments.steps_of(session, enrollment)
        }
        moved = enrollments.reschedule(
            session, clock, session.get_one(Enrollment, enrollment.id), START + timedelta(days=14)
        )
        after = {
            s.step_key: (s.status, s.deliver_at) for s in enrollments.steps_of(session, enrollment)
        }
    delivered = [key for key, (status, _) in before.items() if status == "delivered"]
    assert delivered and moved == len(before) - len(delivered)
    berlin = ZoneInfo("Europe/Berlin")
    for key, (status, when) in before.items():
        local = when.astimezone(berlin)
        # Wall-clock days: 09:00 stays 09:00 even across the end-of-March DST change.
        expected = local if status == "delivered" else local + timedelta(days=14)
        assert after[key][1].astimezone(berlin) == expected, key


def _id(steps: list[StepInstance], key: str) -> int:
    return next(s.id for s in steps if s.step_key == key)


def _answer(enrollment: Enrollment, step: StepInstance) -> dict[str, Any]:
    definition = enrollments.sequence_of(enrollment).steps_by_key[step.step_key]
    if definition.kind == "quiz":
        return {"answers": {q.id: q.answer for q in definition.quiz.questions}}
    if definition.kind == "pulse":
        return {"ratings": {item.id: 4 for item in definition.pulse.items}}
    return {"text": "Listening first made the difference."}
