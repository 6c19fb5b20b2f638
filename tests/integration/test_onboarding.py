"""Onboarding on real parts: outbox → relay → real worker enrolls; real schedulers and worker
deliver every step exactly once across a simulated 90 days."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker
from icalendar import Calendar
from sqlalchemy import func, select

from core.clock import FrozenClock, SystemClock
from core.db import Database
from core.deliveries import Delivery, NoticeKind
from core.notices import first_name
from onboarding import enrollments, notices
from onboarding.models import Enrollment, StepInstance
from tests.conftest import CaughtMail
from workers import runtime
from workers.relay import Relay
from workers.scheduler import Scheduler

START = date(2027, 3, 1)


def sent_about(mail: CaughtMail, kind: NoticeKind, subject_id: int) -> int:
    """How many emails went out about one subject (Message-IDs are <kind-subject-delivery@…>)."""
    prefix = f"<{kind}-{subject_id}-"
    return sum(str(m["Message-ID"]).startswith(prefix) for m in mail.messages)


@pytest.fixture
def frozen_clock(broker: RedisBroker) -> Iterator[FrozenClock]:
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
    db: Database, broker: RedisBroker, worker: dramatiq.Worker, application_id: int
) -> Enrollment:
    Relay(db, broker, SystemClock()).drain()
    _drain(broker, worker)
    with db.unit_of_work() as session:
        return session.scalars(select(Enrollment).filter_by(application_id=application_id)).one()


def test_a_duplicated_hire_event_enrolls_once(
    db: Database, broker: RedisBroker, worker: dramatiq.Worker, hired: Callable[..., int]
) -> None:
    application_id = hired(start_date=START, timezone="Europe/Berlin")
    enrollment = _enroll(db, broker, worker, application_id)
    broker.get_actor("enroll_hire").send(application_id=application_id, start_date="2027-03-01")
    _drain(broker, worker)
    with db.unit_of_work() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(Enrollment)
                .filter_by(application_id=application_id)
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
    frozen_clock: FrozenClock,
    mail_server: CaughtMail,
    make_user: Any,
    hired: Callable[..., int],
) -> None:
    manager = make_user()
    enrollment = _enroll(db, broker, worker, hired(manager=manager, start_date=START))
    neglected = "customer_stories"
    schedulers = [Scheduler(db, broker, frozen_clock), Scheduler(db, broker, frozen_clock)]
    while frozen_clock.now() < datetime(2027, 6, 5, tzinfo=UTC):
        frozen_clock.advance(hours=12)
        for scheduler in schedulers:  # two schedulers see the same due rows
            scheduler.tick()
        _drain(broker, worker)
        with db.unit_of_work() as session:
            for step in enrollments.steps_of(session, enrollment):
                if step.status == "delivered" and step.step_key != neglected:
                    enrollments.complete_step(
                        session,
                        frozen_clock,
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
    for step in steps:
        assert sent_about(mail_server, NoticeKind.STEP_READY, step.id) == 1
        hires_meeting = step.kind == "meeting" and step.audience == "new_hire"
        assert sent_about(mail_server, NoticeKind.MEETING_INVITE, step.id) == int(hires_meeting)
        follow_ups = 1 if step.step_key == neglected else 0
        assert sent_about(mail_server, NoticeKind.STEP_REMINDER, step.id) == follow_ups
        assert sent_about(mail_server, NoticeKind.STEP_ESCALATION, step.id) == follow_ups
    prefix = f"<{NoticeKind.STEP_ESCALATION}-{_id(steps, neglected)}-"
    [escalation] = [m for m in mail_server.messages if m["Message-ID"].startswith(prefix)]
    assert escalation["To"] == manager.email
    assert "/manager/hires/" in escalation.get_content()
    assert "/welcome/" not in escalation.get_content()  # the hire's magic link stays theirs


def test_a_step_waits_for_the_step_it_depends_on(
    db: Database,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    frozen_clock: FrozenClock,
    hired: Callable[..., int],
) -> None:
    enrollment = _enroll(db, broker, worker, hired(start_date=START))
    sequence = enrollments.sequence_of(enrollment)
    dependent = next(step for step in sequence.steps if step.after)
    frozen_clock.current = datetime(2027, 6, 1, tzinfo=UTC)  # everything is due
    with db.unit_of_work() as session:
        due = set(enrollments.due_deliveries(session, frozen_clock.now(), 1000))
        ids = {s.step_key: s.id for s in enrollments.steps_of(session, enrollment)}
    assert ids[dependent.key] not in due
    assert ids[dependent.after] in due


def test_a_changed_start_date_moves_pending_steps_only(
    db: Database,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    frozen_clock: FrozenClock,
    hired: Callable[..., int],
) -> None:
    enrollment = _enroll(db, broker, worker, hired(start_date=START, timezone="Europe/Berlin"))
    frozen_clock.current = datetime(2027, 2, 23, tzinfo=UTC)  # the welcome step is due
    Scheduler(db, broker, frozen_clock).tick()
    _drain(broker, worker)
    with db.unit_of_work() as session:
        before = {
            s.step_key: (s.status, s.deliver_at) for s in enrollments.steps_of(session, enrollment)
        }
        moved = enrollments.reschedule(
            session,
            frozen_clock,
            session.get_one(Enrollment, enrollment.id),
            START + timedelta(days=14),
        )
        after = {
            s.step_key: (s.status, s.deliver_at) for s in enrollments.steps_of(session, enrollment)
        }
    delivered = [key for key, (status, _) in before.items() if status == "delivered"]
    assert delivered and moved == len(before) - len(delivered)
    berlin = ZoneInfo("Europe/Berlin")
    for key, (status, when) in before.items():
        local = when.astimezone(berlin)
        # Wall-frozen_clock days: 09:00 stays 09:00 even across the end-of-March DST change.
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
    if definition.notes is not None:
        return {"note": "Agreed with my manager."}
    return {"text": "Listening first made the difference."}


def test_a_past_start_date_sends_one_catch_up_digest_instead_of_every_overdue_step(
    db: Database,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    mail_server: CaughtMail,
    make_user: Any,
    hired: Callable[..., int],
) -> None:
    manager = make_user()
    started = date.today() - timedelta(days=12)
    application_id = hired(manager=manager, start_date=started, past_start_confirmed=True)
    enrollment = _enroll(db, broker, worker, application_id)
    Scheduler(db, broker, SystemClock()).tick()  # nothing already caught up goes out again
    _drain(broker, worker)
    broker.join("deliveries", timeout=30_000)
    worker.join()

    with db.unit_of_work() as session:
        steps = enrollments.steps_of(session, enrollment)
    caught_up = [s for s in steps if s.status == "delivered"]
    mine = [s for s in caught_up if s.audience == "new_hire"]
    assert len(mine) >= 3, "twelve days in, several steps are overdue"
    assert all(sent_about(mail_server, NoticeKind.STEP_READY, s.id) == 0 for s in caught_up)
    digests = [
        m
        for m in mail_server.messages
        if str(m["Message-ID"]).startswith(f"<{NoticeKind.CATCH_UP_DIGEST}-{enrollment.id}-")
    ]
    [digest] = [m for m in digests if m["To"] == enrollment.new_hire_email]
    assert digest["Subject"] == f"Your onboarding plan: {len(mine)} steps to catch up on"
    body = digest.get_content()
    assert all(step.title in body for step in mine)
    assert "/welcome/" in body
    [for_manager] = [m for m in digests if m["To"] == manager.email]
    assert "/manager/hires/" in for_manager.get_content()
    assert "/welcome/" not in for_manager.get_content()
    # Caught-up steps are reminded counting from today, not at once.
    assert all(s.reminded_at is None for s in caught_up)


def test_the_manager_gets_the_hires_meeting_invite_as_organiser_in_its_own_email(
    db: Database,
    broker: RedisBroker,
    worker: dramatiq.Worker,
    frozen_clock: FrozenClock,
    mail_server: CaughtMail,
    make_user: Any,
    hired: Callable[..., int],
) -> None:
    manager = make_user()
    enrollment = _enroll(db, broker, worker, hired(manager=manager, start_date=START))
    with db.unit_of_work() as session:
        steps = enrollments.steps_of(session, enrollment)
    meeting = next(s for s in steps if s.kind == "meeting" and s.audience == "new_hire")
    task = next(s for s in steps if s.kind != "meeting" and s.audience == "new_hire")
    frozen_clock.current = max(meeting.deliver_at, task.deliver_at) + timedelta(minutes=1)
    for step in (meeting, task):
        broker.get_actor("deliver_step").send(step.id)
    _drain(broker, worker)

    assert sent_about(mail_server, NoticeKind.STEP_READY, meeting.id) == 1
    assert sent_about(mail_server, NoticeKind.MEETING_INVITE, meeting.id) == 1
    assert sent_about(mail_server, NoticeKind.MEETING_INVITE, task.id) == 0  # not a meeting
    [to_hire, to_manager] = (
        next(
            m for m in mail_server.messages if m["Message-ID"].startswith(f"<{kind}-{meeting.id}-")
        )
        for kind in (NoticeKind.STEP_READY, NoticeKind.MEETING_INVITE)
    )
    assert to_hire["To"] == enrollment.new_hire_email and to_manager["To"] == manager.email
    assert to_manager["Subject"] == (
        f"Invitation for {first_name(enrollment.new_hire_name)}'s onboarding: {meeting.title}"
    )
    assert "/manager/hires/" in to_manager.get_body(("plain",)).get_content()
    hire_event, manager_event = (_invite(m) for m in (to_hire, to_manager))
    assert manager_event["uid"] == hire_event["uid"] == f"step-{meeting.id}@onramp"
    assert str(manager_event["organizer"]) == f"mailto:{manager.email}"
    assert f"mailto:{manager.email}" in {str(a) for a in manager_event["attendee"]}
    with db.unit_of_work() as session:  # how the failed-emails page would name it
        [invite] = session.scalars(
            select(Delivery).filter_by(kind=NoticeKind.MEETING_INVITE, subject_id=meeting.id)
        ).all()
        assert invite.recipient_user_id == manager.id
        assert notices.describe(session, invite).startswith(
            f"Meeting invite for the manager: “{meeting.title}”"
        )


def _invite(message: EmailMessage) -> Any:
    """The message's calendar attachment's event, sent as an iTIP request (RFC 6047)."""
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    if not parts:
        return None
    [part] = parts
    assert part.get_param("method") == "REQUEST"
    calendar = Calendar.from_ical(part.get_content())
    assert calendar["method"] == "REQUEST"
    return calendar.walk("VEVENT")[0]
