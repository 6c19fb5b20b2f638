"""People's decisions on candidates, and the hire that an accepted offer starts.

A score is a recommendation; these functions record what a person decided, insist on a
reason when it goes against the recommendation, and announce an accepted offer through the
outbox as ``hire.accepted`` carrying ids only. Onboarding reads the new hire's contact details
through :func:`hire_facts` when it enrolls them, so no name or email travels through the
outbox table, Redis or worker logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit, outbox
from core.accounts import User
from core.clock import Clock
from core.errors import Conflict, DomainError, NotFound
from core.events import DECISION_MADE, HIRE_ACCEPTED
from screening import notices
from screening.hiring import panel_of
from screening.models import Application, ApplicationScore, Decision

DecisionKind = Literal["advance", "reject", "offer", "offer_accepted"]
DECISIONS: tuple[DecisionKind, ...] = ("advance", "reject", "offer", "offer_accepted")

# A start date further back than this is a typo, not a late paperwork run; further ahead than
# the latest is a typo too (9999-12-31 once crashed enrollment on every retry).
START_DATE_EARLIEST = timedelta(days=30)
START_DATE_LATEST = timedelta(days=2 * 365)


class PastStartDateNeedsConfirmation(DomainError):
    """A start date in the past is allowed only when the person confirms it: the hire then
    gets one catch-up email instead of every overdue step at once."""

    status_code = 422


def goes_against(recommendation: str | None, decision: str) -> bool:
    if recommendation == "advance":
        return decision == "reject"
    if recommendation == "hold":
        return decision in {"advance", "offer", "offer_accepted"}
    return False


START_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_start_date(value: str) -> date:
    if not START_DATE.fullmatch(value or ""):
        raise DomainError("Give the start date as YYYY-MM-DD, for example 2027-03-01.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError("That start date does not exist in the calendar.") from None


def start_date_window(clock: Clock) -> tuple[date, date]:
    """The earliest and latest start dates accepted today (a date picker's min and max)."""
    today = clock.now().date()
    return today - START_DATE_EARLIEST, today + START_DATE_LATEST


def check_start_date(clock: Clock, start_date: date, *, past_confirmed: bool) -> None:
    """A start date within the window; one in the past only once confirmed."""
    today = clock.now().date()
    if start_date < today - START_DATE_EARLIEST:
        raise DomainError(
            f"The start date {start_date:%d %B %Y} is more than "
            f"{START_DATE_EARLIEST.days} days ago. Check the year, or ask HR to onboard "
            "this person directly."
        )
    if start_date > today + START_DATE_LATEST:
        raise DomainError(
            f"The start date {start_date:%d %B %Y} is more than two years ahead. Check the year."
        )
    if start_date < today and not past_confirmed:
        raise PastStartDateNeedsConfirmation(
            f"The start date {start_date:%d %B %Y} is in the past. If that is right, tick "
            "“Confirm a date in the past”: the new hire will get one catch-up email with the "
            "steps they missed, not each of them at once."
        )


def decide(
    session: Session,
    clock: Clock,
    application: Application,
    decision: str,
    *,
    reason: str = "",
    user: User | None = None,
    source: str = "dashboard",
    actor: str | None = None,
    start_date: date | None = None,
    past_start_confirmed: bool = False,
) -> Decision | None:
    """Record a person's decision; None when it repeats the current one (idempotent).

    ``actor`` names who decided in the audit log when it is not a signed-in ``user`` (an API
    key: ``api_key:<id>``); by default the user, else the ``source``."""
    if decision not in DECISIONS:
        raise DomainError(f"Unknown decision {decision!r}.")
    if application.status == "started":
        raise DomainError("The candidate has not submitted the assessment.")
    if application.decision == decision:
        return None
    if application.decision == "offer_accepted":
        raise Conflict("This offer was already accepted; the decision is final.")
    score = session.scalar(select(ApplicationScore).filter_by(application_id=application.id))
    recommendation = score.recommendation if score else None
    against = goes_against(recommendation, decision)
    reason = reason.strip()
    if against and not reason:
        raise DomainError(
            f"This decision goes against the recommendation ({recommendation}); "
            "please give a reason."
        )
    if decision == "offer_accepted":
        if start_date is None:
            raise DomainError("An accepted offer needs a start date.")
        check_start_date(clock, start_date, past_confirmed=past_start_confirmed)
    row = Decision(
        application_id=application.id,
        decided_by=user.id if user else None,
        source=source,
        decision=decision,
        reason=reason,
        recommendation=recommendation,
        against_recommendation=against,
        start_date=start_date.isoformat() if start_date else None,
        decided_at=clock.now(),
    )
    session.add(row)
    previous = application.decision
    application.decision = decision
    session.flush()
    audit.record(
        session,
        clock,
        actor=actor or (f"user:{user.id}" if user else source),
        action="decision.recorded",
        subject_type="application",
        subject_id=application.id,
        decision=decision,
        previous=previous,
        recommendation=recommendation,
        override=against,
    )
    if user is not None:  # a person recorded it here: never a score, never an integration
        notices.ask_for_outcome(session, clock, application, row)
    outbox.record(
        session,
        clock,
        DECISION_MADE,
        application_id=application.id,
        company_id=application.opening.company_id,
        decision=decision,
        against_recommendation=against,
    )
    if decision == "offer_accepted" and start_date is not None:
        outbox.record(
            session,
            clock,
            HIRE_ACCEPTED,
            application_id=application.id,
            start_date=start_date.isoformat(),
        )
    return row


def change_start_date(
    session: Session,
    clock: Clock,
    application: Application,
    start_date: date,
    *,
    user: User,
    past_start_confirmed: bool = False,
) -> date | None:
    """Move an accepted hire's start date, within the same window as the offer; returns the
    old date, or None when it is the same date. The accepted offer's row holds the date that
    enrollment reads (:func:`hire_facts`); the audit trail keeps every change. Moving the
    onboarding plan's pending steps is the caller's next step (onboarding's reschedule)."""
    if application.decision != "offer_accepted":
        raise Conflict("Only an accepted offer has a start date to change.")
    accepted = session.scalar(
        select(Decision)
        .where(Decision.application_id == application.id, Decision.decision == "offer_accepted")
        .order_by(Decision.id.desc())
        .limit(1)
    )
    if accepted is None or accepted.start_date is None:
        raise NotFound("No accepted offer for this candidate.")
    old = date.fromisoformat(accepted.start_date)
    if start_date == old:
        return None
    check_start_date(clock, start_date, past_confirmed=past_start_confirmed)
    accepted.start_date = start_date.isoformat()
    audit.record(
        session,
        clock,
        actor=f"user:{user.id}",
        action="start_date.changed",
        subject_type="application",
        subject_id=application.id,
        old_start=old.isoformat(),
        new_start=start_date.isoformat(),
    )
    return old


@dataclass(frozen=True)
class HireFacts:
    """What onboarding needs to enroll a hire, read at enrollment time (never sent around)."""

    application_id: int
    company_id: int
    role: str
    start_date: date
    new_hire_name: str
    new_hire_email: str
    manager_user_id: int | None
    timezone: str
    working_days: str  # the company's, as it stores them: "mon,tue,wed,thu,fri"


def hire_facts(session: Session, application_id: int) -> HireFacts:
    """The accepted hire behind ``application_id``: the latest accepted offer's start date,
    and the manager who accepted it (or the first panel member when an admin or the ATS did)."""
    application = session.get(Application, application_id)
    accepted = session.scalar(
        select(Decision)
        .where(Decision.application_id == application_id, Decision.decision == "offer_accepted")
        .order_by(Decision.id.desc())
        .limit(1)
    )
    if application is None or accepted is None or accepted.start_date is None:
        raise NotFound(f"No accepted offer for application {application_id}.")
    decider = session.get(User, accepted.decided_by) if accepted.decided_by else None
    if decider is None or decider.is_admin:
        panel = panel_of(session, application.opening_id)
        decider = panel[0] if panel else decider
    opening = application.opening
    return HireFacts(
        application_id=application.id,
        company_id=opening.company_id,
        role=opening.title,
        start_date=date.fromisoformat(accepted.start_date),
        new_hire_name=application.candidate.name,
        new_hire_email=application.candidate.email,
        manager_user_id=decider.id if decider else None,
        timezone=opening.company.timezone,
        working_days=opening.company.working_days,
    )


def accepted_since(session: Session, since: datetime, until: datetime) -> list[int]:
    """Applications whose offer was accepted in [since, until): candidates for the
    reconciler's "hired but never enrolled" check."""
    return list(
        session.scalars(
            select(Decision.application_id)
            .where(
                Decision.decision == "offer_accepted",
                Decision.decided_at >= since,
                Decision.decided_at < until,
            )
            .distinct()
        )
    )
