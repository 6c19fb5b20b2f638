"""Onboarding actors: enroll a hire, deliver a step, remind, escalate. Ids in, claims inside."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.accounts import User
from core.clock import Clock
from core.links import portal_url
from onboarding import enrollments
from onboarding.models import Enrollment, StepInstance
from onboarding.sequence import DEFAULT_SEQUENCE, Sequence, load_sequence
from workers import mailer, runtime

log = logging.getLogger(__name__)

QUEUE = "onboarding"


@cache
def default_sequence() -> Sequence:
    return load_sequence(DEFAULT_SEQUENCE)


def enroll_hire(
    application_id: int,
    company_id: int,
    role: str,
    start_date: str,
    new_hire_name: str,
    new_hire_email: str,
    manager_user_id: int | None = None,
    timezone: str = "UTC",
) -> None:
    """Idempotent: one enrollment per hire, however often hire.accepted arrives."""
    rt = runtime.current()
    hire = enrollments.Hire(
        application_id,
        company_id,
        role,
        date.fromisoformat(start_date),
        new_hire_name,
        new_hire_email,
        manager_user_id,
        timezone,
    )
    with rt.db.unit_of_work() as session:
        enrollment = enrollments.enroll(session, rt.clock, hire, default_sequence())
    if enrollment is not None:
        log.info("hire enrolled", extra={"enrollment_id": enrollment.id})


def deliver_step(step_id: int) -> None:
    """Deliver once: the claim makes the step visible; the email follows. A failed email puts
    the step back so the retry delivers it again."""
    _claim_and_notify(
        lambda session, clock: enrollments.claim_delivery(session, clock, step_id),
        "new",
        lambda session: enrollments.unclaim_delivery(session, step_id),
    )


def remind_step(step_id: int) -> None:
    _follow_up(step_id, "remind")


def escalate_step(step_id: int) -> None:
    _follow_up(step_id, "escalate")


def _follow_up(step_id: int, kind: str) -> None:
    _claim_and_notify(
        lambda session, clock: enrollments.claim_follow_up(session, clock, step_id, kind),
        kind,
        lambda session: enrollments.unclaim_follow_up(session, step_id, kind),
    )


def _claim_and_notify(
    claim: Callable[[Session, Clock], StepInstance | None],
    kind: str,
    release: Callable[[Session], None],
) -> None:
    """Claim in one transaction, email outside it; on an SMTP failure release the claim and
    re-raise so Dramatiq retries with backoff."""
    rt = runtime.current()
    with rt.db.unit_of_work() as session:
        step = claim(session, rt.clock)
        email = _step_email(session, step, kind) if step else None
    if email is None:
        return
    try:
        mailer.send(rt.settings, email)
    except (OSError, smtplib.SMTPException):
        with rt.db.unit_of_work() as session:
            release(session)
        raise


def _step_email(session: Session, step: StepInstance, kind: str) -> mailer.Email | None:
    """The message for a step: to the new hire, or to the manager for manager steps and
    escalations. Buddy steps go to the manager too until buddies have accounts."""
    rt = runtime.current()
    enrollment = session.get_one(Enrollment, step.enrollment_id)
    manager = session.get(User, enrollment.manager_user_id) if enrollment.manager_user_id else None
    to_manager = kind == "escalate" or step.audience != "new_hire"
    if to_manager and manager is None:
        log.warning("no manager to notify", extra={"step_id": step.id})
        return None
    first_name = enrollment.new_hire_name.split()[0]
    if to_manager and manager is not None:
        # Managers get their dashboard, never the hire's magic link.
        recipient, greeting = manager.email, manager.name.split()[0]
        link = f"{rt.settings.base_url}/manager/hires/{enrollment.id}"
    else:
        recipient, greeting = enrollment.new_hire_email, first_name
        link = portal_url(rt.settings, enrollment.portal_key, f"/steps/{step.step_key}")
    due = local_date(step.due_at, enrollment.timezone)
    subject, body = {
        "new": (
            f"Onboarding: {step.title}",
            f"'{step.title}' is ready in your onboarding plan, due {due}.",
        ),
        "remind": (
            f"Reminder: {step.title}",
            f"A friendly reminder: '{step.title}' is still open (due {due}).",
        ),
        "escalate": (
            f"Onboarding step overdue: {step.title}",
            f"'{step.title}' in {first_name}'s onboarding was due {due} and is still open. "
            "A quick check-in may help.",
        ),
    }[kind]
    text = f"Hello {greeting},\n\n{body}\n\nOpen it here: {link}\n"
    ics = _meeting_invite(step, enrollment) if kind == "new" and step.kind == "meeting" else None
    return mailer.Email(
        to=recipient,
        subject=subject,
        text=text,
        message_id=f"<step-{step.id}-{kind}@onramp>",
        ics=ics,
    )


def local_date(moment: datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%A %d %B")


def _meeting_invite(step: StepInstance, enrollment: Enrollment) -> str:
    from datetime import timedelta

    from icalendar import Calendar
    from icalendar import Event as IcsEvent

    definition = enrollments.sequence_of(enrollment).steps_by_key[step.step_key]
    minutes = definition.meeting.duration_minutes if definition.meeting else 60
    calendar = Calendar()
    calendar.add("prodid", "-//onramp//onboarding//EN")
    calendar.add("version", "2.0")
    event = IcsEvent()
    event.add("uid", f"step-{step.id}@onramp")
    event.add("summary", step.title)
    event.add("dtstart", step.deliver_at)
    event.add("dtend", step.deliver_at + timedelta(minutes=minutes))
    event.add("dtstamp", step.deliver_at)
    event.add("description", f"Onboarding step for {enrollment.new_hire_name} ({enrollment.role}).")
    calendar.add_component(event)
    return calendar.to_ical().decode()
