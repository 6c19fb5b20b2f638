"""Who hears about an onboarding step, and what the email says (words in ``emails/``).

New-hire steps go to the new hire with their portal link; manager and buddy steps, and every
escalation, go to the manager with a link to the read-only plan (never the hire's magic link).
Buddy steps go to the manager until buddies have accounts.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit, deliveries
from core.accounts import User
from core.clock import Clock
from core.companies import Company
from core.deliveries import Delivery, NoticeKind
from core.links import portal_url
from core.notices import Notice, first_name, render
from core.settings import Settings
from onboarding import calendar
from onboarding.calendar import Person
from onboarding.enrollments import sequence_of
from onboarding.models import Enrollment, StepInstance

PACKAGE = __package__ or "onboarding"
INVITE = "REQUEST"  # RFC 5546: an emailed invite the recipient's calendar offers to accept
TEMPLATES = {
    NoticeKind.STEP_READY: "step_ready",
    NoticeKind.STEP_REMINDER: "step_reminder",
    NoticeKind.STEP_ESCALATION: "step_escalation",
}


def local_date(moment: datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%A %d %B %Y")


def local_moment(moment: datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%A %d %B %Y at %H:%M (%Z)")


def local_day(iso_date: str) -> str:
    return date.fromisoformat(iso_date).strftime("%A %d %B %Y")


def _manager_of(session: Session, enrollment: Enrollment) -> User | None:
    if enrollment.manager_user_id is None:
        return None
    manager = session.get(User, enrollment.manager_user_id)
    return manager if manager is not None and manager.is_active else None


def _sender_name(session: Session, enrollment: Enrollment) -> str:
    company = session.get(Company, enrollment.company_id)
    return company.sender_name if company else ""


def _manager_link(settings: Settings, enrollment: Enrollment) -> str:
    return f"{settings.base_url}/manager/hires/{enrollment.id}"


def step_notice(session: Session, delivery: Delivery, settings: Settings) -> Notice | None:
    """A step is ready, needs a reminder, or is overdue; None when its recipient is gone."""
    kind = NoticeKind(delivery.kind)
    step = session.get_one(StepInstance, delivery.subject_id)
    enrollment = session.get_one(Enrollment, step.enrollment_id)
    to_manager = kind == NoticeKind.STEP_ESCALATION or step.audience != "new_hire"
    if to_manager:
        manager = _manager_of(session, enrollment)
        if manager is None:
            return None
        to, greeting = manager.email, first_name(manager.name)
        link = _manager_link(settings, enrollment)
    else:
        to, greeting = enrollment.new_hire_email, first_name(enrollment.new_hire_name)
        link = portal_url(settings, enrollment.portal_key, f"/steps/{step.step_key}")
    meeting = kind == NoticeKind.STEP_READY and step.kind == "meeting"
    return render(
        PACKAGE,
        TEMPLATES[kind],
        to=to,
        sender_name=_sender_name(session, enrollment),
        ics=meeting_invite(session, step, enrollment, method=INVITE) if meeting else None,
        greeting=greeting,
        for_manager=to_manager,
        hire_first_name=first_name(enrollment.new_hire_name, "your new hire"),
        role=enrollment.role,
        start=local_day(enrollment.start_date),
        title=step.title,
        due=local_date(step.due_at, enrollment.timezone),
        link=link,
    )


def catch_up_digest(session: Session, delivery: Delivery, settings: Settings) -> Notice | None:
    """Every step already open at enrollment, in one email to the hire or to the manager."""
    enrollment = session.get_one(Enrollment, delivery.subject_id)
    for_manager = delivery.recipient_user_id is not None
    steps = session.scalars(
        select(StepInstance)
        .where(
            StepInstance.enrollment_id == enrollment.id,
            StepInstance.status == "delivered",
            (StepInstance.audience != "new_hire")
            if for_manager
            else (StepInstance.audience == "new_hire"),
        )
        .order_by(StepInstance.due_at, StepInstance.id)
    ).all()
    if for_manager:
        manager = _manager_of(session, enrollment)
        if manager is None:
            return None
        to, greeting, link = (
            manager.email,
            first_name(manager.name),
            _manager_link(settings, enrollment),
        )
    else:
        to, greeting = enrollment.new_hire_email, first_name(enrollment.new_hire_name)
        link = portal_url(settings, enrollment.portal_key)
    if not steps:
        return None  # completed before the email went out: nothing to catch up on
    return render(
        PACKAGE,
        "catch_up_digest",
        to=to,
        sender_name=_sender_name(session, enrollment),
        for_manager=for_manager,
        greeting=greeting,
        hire_first_name=first_name(enrollment.new_hire_name, "your new hire"),
        role=enrollment.role,
        start=local_day(enrollment.start_date),
        steps=[{"title": s.title, "due": local_date(s.due_at, enrollment.timezone)} for s in steps],
        link=link,
    )


def send_portal_link(session: Session, clock: Clock, enrollment: Enrollment, by: User) -> int:
    """An admin asks for the hire's current portal link to be emailed again, audited; each
    request is a new email (the edition is the moment it was asked for)."""
    asked_at = clock.now()
    delivery_id = deliveries.request(
        session,
        clock,
        NoticeKind.PORTAL_LINK,
        enrollment.id,
        company_id=enrollment.company_id,
        edition=asked_at.isoformat(),
        announce=True,
    )
    audit.record(
        session,
        clock,
        actor=f"user:{by.id}",
        action="enrollment.portal_link_sent",
        subject_type="enrollment",
        subject_id=enrollment.id,
        company_id=enrollment.company_id,
        delivery_id=delivery_id,
    )
    return delivery_id


def request_new_links(session: Session, clock: Clock, email: str) -> int:
    """A hire whose link expired or got lost asks for a new one by their email address. Each
    plan with that address gets the portal-link email; the caller answers the same whether
    any did, so the page never reveals which addresses are known. Returns how many."""
    address = email.strip().lower()
    found = session.scalars(
        select(Enrollment).where(func.lower(Enrollment.new_hire_email) == address)
    ).all()
    asked_at = clock.now()
    for enrollment in found:
        delivery_id = deliveries.request(
            session,
            clock,
            NoticeKind.PORTAL_LINK,
            enrollment.id,
            company_id=enrollment.company_id,
            edition=f"asked-by-hire:{asked_at.isoformat()}",
            announce=True,
        )
        audit.record(
            session,
            clock,
            actor="new_hire",
            action="enrollment.portal_link_requested",
            subject_type="enrollment",
            subject_id=enrollment.id,
            company_id=enrollment.company_id,
            delivery_id=delivery_id,
        )
    return len(found)


def portal_link(session: Session, delivery: Delivery, settings: Settings) -> Notice | None:
    """An admin sent the new hire their current portal link again (they lost the email)."""
    enrollment = session.get_one(Enrollment, delivery.subject_id)
    return render(
        PACKAGE,
        "portal_link",
        to=enrollment.new_hire_email,
        sender_name=_sender_name(session, enrollment),
        greeting=first_name(enrollment.new_hire_name),
        role=enrollment.role,
        link=portal_url(settings, enrollment.portal_key),
    )


def people_of(session: Session, enrollment: Enrollment) -> tuple[Person, Person | None]:
    """The hire and their (active) manager, as calendar attendees."""
    manager = _manager_of(session, enrollment)
    return (
        Person(enrollment.new_hire_name, enrollment.new_hire_email),
        Person(manager.name, manager.email) if manager else None,
    )


def meeting_invite(
    session: Session, step: StepInstance, enrollment: Enrollment, method: str | None = None
) -> str:
    """A meeting step as an invite: the manager organises, the hire and the manager attend.
    The hire's copy and the manager's are the same event (one UID), so calendars merge them."""
    hire, manager = people_of(session, enrollment)
    return calendar.meeting_invite(
        step,
        sequence_of(enrollment),
        enrollment,
        stamp=step.delivered_at or step.deliver_at,
        organizer=manager,
        attendees=[hire, manager] if manager else [hire],
        method=method,
    )


def manager_invite(session: Session, delivery: Delivery, settings: Settings) -> Notice | None:
    """The manager's copy of a hire's meeting invite, as its organiser and an attendee; None
    when the plan has no active manager any more."""
    step = session.get_one(StepInstance, delivery.subject_id)
    enrollment = session.get_one(Enrollment, step.enrollment_id)
    manager = _manager_of(session, enrollment)
    if manager is None:
        return None
    return render(
        PACKAGE,
        "meeting_invite",
        to=manager.email,
        sender_name=_sender_name(session, enrollment),
        ics=meeting_invite(session, step, enrollment, method=INVITE),
        greeting=first_name(manager.name),
        hire_first_name=first_name(enrollment.new_hire_name, "your new hire"),
        role=enrollment.role,
        title=step.title,
        when=local_moment(step.deliver_at, enrollment.timezone),
        link=_manager_link(settings, enrollment),
    )


DESCRIPTIONS = {
    NoticeKind.STEP_READY: "Onboarding step “{title}”",
    NoticeKind.STEP_REMINDER: "Reminder about “{title}”",
    NoticeKind.STEP_ESCALATION: "Overdue notice about “{title}”",
    NoticeKind.MEETING_INVITE: "Meeting invite for the manager: “{title}”",
}


def describe(session: Session, delivery: Delivery) -> str:
    """What a delivery was about, in words an admin understands."""
    kind = NoticeKind(delivery.kind)
    if kind == NoticeKind.PORTAL_LINK:
        enrollment = session.get(Enrollment, delivery.subject_id)
        role = enrollment.role if enrollment else "a new hire"
        return f"Portal link for a new {role}"
    if kind == NoticeKind.CATCH_UP_DIGEST:
        enrollment = session.get(Enrollment, delivery.subject_id)
        role = enrollment.role if enrollment else "a new hire"
        return f"Catch-up email for a new {role}"
    step = session.get(StepInstance, delivery.subject_id)
    if step is None:
        return "Onboarding email (the step no longer exists)"
    enrollment = session.get_one(Enrollment, step.enrollment_id)
    return DESCRIPTIONS[kind].format(title=step.title) + f" for a new {enrollment.role}"
