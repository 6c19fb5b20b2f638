"""Onboarding use cases: enroll a hire, find due work, claim it, complete steps, reschedule.

The scheduler only *finds* work; delivery *claims* each row with a conditional UPDATE, so two
schedulers or a redelivered message can never deliver, remind or escalate a step twice.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.orm import Session, aliased

from core import audit, deliveries, outbox
from core.clock import Clock
from core.companies import Company
from core.db import rows_changed
from core.deliveries import NoticeKind
from core.errors import Conflict, DomainError, NotFound
from core.events import ONBOARDING_COMPLETED, ONBOARDING_STEP_COMPLETED
from onboarding import scheduling, timeline
from onboarding.models import Enrollment, StepInstance
from onboarding.sequence import Sequence, Step, grade_quiz, parse_sequence


class HireDetails(Protocol):
    """What enrolling a hire needs to know. Onboarding cannot read screening's tables, so the
    caller (a worker) reads them there and passes any object of this shape, such as
    ``screening.decisions.HireFacts``."""

    @property
    def application_id(self) -> int: ...
    @property
    def company_id(self) -> int: ...
    @property
    def role(self) -> str: ...
    @property
    def start_date(self) -> date: ...
    @property
    def new_hire_name(self) -> str: ...
    @property
    def new_hire_email(self) -> str: ...
    @property
    def manager_user_id(self) -> int | None: ...
    @property
    def timezone(self) -> str: ...
    @property
    def working_days(self) -> str:
        """The company's working days as it stores them: ``"mon,tue,wed,thu,fri"``."""
        ...


@dataclass(frozen=True)
class Hire:
    """A hire described directly (tests, imports): the plain form of :class:`HireDetails`."""

    application_id: int
    company_id: int
    role: str
    start_date: date
    new_hire_name: str
    new_hire_email: str
    manager_user_id: int | None
    timezone: str = "UTC"
    working_days: str = scheduling.DEFAULT_WORKING_DAYS


def enroll(
    session: Session, clock: Clock, hire: HireDetails, sequence: Sequence
) -> Enrollment | None:
    """Create the enrollment and its step instances once; None if the hire is enrolled."""
    if session.scalar(select(Enrollment.id).filter_by(application_id=hire.application_id)):
        return None
    enrollment = Enrollment(
        application_id=hire.application_id,
        company_id=hire.company_id,
        role=hire.role,
        new_hire_name=hire.new_hire_name,
        new_hire_email=hire.new_hire_email,
        manager_user_id=hire.manager_user_id,
        start_date=hire.start_date.isoformat(),
        timezone=hire.timezone,
        sequence_key=sequence.key,
        sequence_version=sequence.version,
        sequence=sequence.model_dump(mode="json"),
        portal_key=secrets.token_hex(16),
        created_at=clock.now(),
    )
    session.add(enrollment)
    session.flush()
    now = clock.now()
    rows = [
        _step_row(enrollment.id, step, plan, now)
        for step, plan in zip(
            sequence.steps,
            scheduling.plan(sequence, hire.start_date, hire.timezone, hire.working_days),
            strict=True,
        )
    ]
    session.execute(insert(StepInstance), rows)
    caught_up = [row for row in rows if row["status"] == "delivered"]
    _request_catch_up_digests(session, clock, enrollment, caught_up)
    audit.record(
        session,
        clock,
        actor="worker",
        action="enrollment.created",
        subject_type="enrollment",
        subject_id=enrollment.id,
        application_id=hire.application_id,
        steps=len(rows),
        caught_up=len(caught_up),
    )
    return enrollment


def _step_row(
    enrollment_id: int, step: Step, plan: scheduling.PlannedStep, now: datetime
) -> dict[str, Any]:
    """A step instance; one whose time has already come at enrollment (a start date in the
    past, or preboarding days already gone) is delivered at once and announced in the
    catch-up digest, its reminder and escalation moved to count from today."""
    row: dict[str, Any] = {
        "enrollment_id": enrollment_id,
        "step_key": step.key,
        "after_key": step.after,
        "audience": step.audience,
        "kind": step.kind,
        "title": step.title,
        "status": "pending",
        "deliver_at": plan.deliver_at,
        "due_at": plan.due_at,
        "remind_at": plan.remind_at,
        "escalate_at": plan.escalate_at,
        "delivered_at": None,
        "attempts": 0,
    }
    if plan.deliver_at <= now and step.after is None:
        late_by = now - plan.deliver_at
        row.update(
            status="delivered",
            delivered_at=now,
            attempts=1,
            remind_at=plan.remind_at + late_by if plan.remind_at else None,
            escalate_at=plan.escalate_at + late_by if plan.escalate_at else None,
        )
    return row


def _request_catch_up_digests(
    session: Session, clock: Clock, enrollment: Enrollment, caught_up: list[dict[str, Any]]
) -> None:
    """One email to the hire and one to the manager listing what is already open, instead of
    one email per overdue step."""
    if any(row["audience"] == "new_hire" for row in caught_up):
        deliveries.request(
            session,
            clock,
            NoticeKind.CATCH_UP_DIGEST,
            enrollment.id,
            company_id=enrollment.company_id,
        )
    if enrollment.manager_user_id and any(row["audience"] != "new_hire" for row in caught_up):
        deliveries.request(
            session,
            clock,
            NoticeKind.CATCH_UP_DIGEST,
            enrollment.id,
            enrollment.manager_user_id,
            company_id=enrollment.company_id,
        )


def enrolled_among(session: Session, application_ids: list[int]) -> set[int]:
    """Which of these hires already have an enrollment."""
    if not application_ids:
        return set()
    return set(
        session.scalars(
            select(Enrollment.application_id).where(Enrollment.application_id.in_(application_ids))
        )
    )


def sequence_of(enrollment: Enrollment) -> Sequence:
    return parse_sequence(enrollment.sequence, f"enrollment {enrollment.id}")


# --- the scheduler's queries ------------------------------------------------------------------


def _is_due(now: datetime) -> Any:
    """Pending steps whose time has come and whose `after` step is completed."""
    previous = aliased(StepInstance)
    dependency_done = exists().where(
        previous.enrollment_id == StepInstance.enrollment_id,
        previous.step_key == StepInstance.after_key,
        previous.status == "completed",
    )
    return and_(
        StepInstance.status == "pending",
        StepInstance.deliver_at <= now,
        StepInstance.after_key.is_(None) | dependency_done,
    )


def due_deliveries(session: Session, now: datetime, limit: int) -> list[int]:
    return list(
        session.scalars(
            select(StepInstance.id)
            .where(_is_due(now))
            .order_by(StepInstance.deliver_at, StepInstance.id)
            .limit(limit)
        )
    )


def due_reminders(session: Session, now: datetime, limit: int) -> list[int]:
    return _due_follow_up(session, StepInstance.remind_at, StepInstance.reminded_at, now, limit)


def due_escalations(session: Session, now: datetime, limit: int) -> list[int]:
    return _due_follow_up(session, StepInstance.escalate_at, StepInstance.escalated_at, now, limit)


def _due_follow_up(session: Session, at: Any, done: Any, now: datetime, limit: int) -> list[int]:
    """Delivered, still incomplete steps whose reminder/escalation time has passed."""
    return list(
        session.scalars(
            select(StepInstance.id)
            .where(StepInstance.status == "delivered", at <= now, done.is_(None))
            .order_by(at, StepInstance.id)
            .limit(limit)
        )
    )


# --- claims -----------------------------------------------------------------------------------
# A claim and the request for its notice commit together, so a worker that dies after the
# claim leaves a pending delivery for the reconciler, never a step delivered in silence.


def claim_delivery(session: Session, clock: Clock, step_id: int) -> int | None:
    """pending → delivered, once; returns the id of the notice to send, or None if someone
    else delivered it or it is not due."""
    now = clock.now()
    claimed = rows_changed(
        session,
        update(StepInstance)
        .where(
            StepInstance.id == step_id,
            StepInstance.status == "pending",
            StepInstance.deliver_at <= now,
        )
        .values(status="delivered", delivered_at=now, attempts=StepInstance.attempts + 1),
    )
    if not claimed:
        return None
    kind, audience, company_id, manager_id = session.execute(
        select(
            StepInstance.kind,
            StepInstance.audience,
            Enrollment.company_id,
            Enrollment.manager_user_id,
        )
        .join(Enrollment, StepInstance.enrollment_id == Enrollment.id)
        .where(StepInstance.id == step_id)
    ).one()
    if kind == "meeting" and audience == "new_hire" and manager_id is not None:
        # The hire's invite names the manager as organiser and attendee: the manager gets the
        # same invite. (A manager's or buddy's meeting step already goes to the manager.)
        deliveries.request(
            session, clock, NoticeKind.MEETING_INVITE, step_id, manager_id, company_id=company_id
        )
    return deliveries.request(session, clock, NoticeKind.STEP_READY, step_id, company_id=company_id)


FOLLOW_UPS = {
    NoticeKind.STEP_REMINDER: (StepInstance.remind_at, StepInstance.reminded_at),
    NoticeKind.STEP_ESCALATION: (StepInstance.escalate_at, StepInstance.escalated_at),
}


def claim_follow_up(session: Session, clock: Clock, step_id: int, kind: NoticeKind) -> int | None:
    """Claim a reminder or escalation of an incomplete step, once; returns the notice's id."""
    at, done = FOLLOW_UPS[kind]
    now = clock.now()
    claimed = rows_changed(
        session,
        update(StepInstance)
        .where(
            StepInstance.id == step_id,
            StepInstance.status == "delivered",
            at <= now,
            done.is_(None),
        )
        .values({done.key: now}),
    )
    if not claimed:
        return None
    return deliveries.request(
        session, clock, kind, step_id, company_id=_company_of(session, step_id)
    )


def _company_of(session: Session, step_id: int) -> int:
    return session.scalars(
        select(Enrollment.company_id)
        .join(StepInstance, StepInstance.enrollment_id == Enrollment.id)
        .where(StepInstance.id == step_id)
    ).one()


# --- the portal -------------------------------------------------------------------------------


def enrollment_by_portal_key(session: Session, portal_key: str) -> Enrollment:
    enrollment = session.scalar(select(Enrollment).filter_by(portal_key=portal_key))
    if enrollment is None:
        raise NotFound("We could not find your onboarding plan. The link may be incomplete.")
    return enrollment


def portal_keys(session: Session, company_id: int) -> list[str]:
    """Every hire's portal key in one company, newest enrollment first."""
    return list(
        session.scalars(
            select(Enrollment.portal_key)
            .where(Enrollment.company_id == company_id)
            .order_by(Enrollment.id.desc())
        )
    )


def steps_of(session: Session, enrollment: Enrollment) -> list[StepInstance]:
    return list(
        session.scalars(
            select(StepInstance)
            .filter_by(enrollment_id=enrollment.id)
            .order_by(StepInstance.deliver_at, StepInstance.id)
        )
    )


def progress(steps: list[StepInstance]) -> tuple[int, int]:
    """(done, total) of the hire's own steps: the one definition in ``timeline``."""
    return timeline.progress(steps)


@dataclass(frozen=True)
class Completion:
    completed: bool
    message: str
    wrong: tuple[str, ...] = ()  # a failed quiz: the ids of the questions to look at again


def complete_step(
    session: Session,
    clock: Clock,
    enrollment: Enrollment,
    step_key: str,
    response: dict[str, Any],
    actor: str = "new_hire",
    audiences: tuple[str, ...] = ("new_hire",),
) -> Completion:
    """Complete a delivered step meant for one of ``audiences`` (so a manager cannot tick off
    the new hire's reflections). Quizzes below the pass mark stay open for another try."""
    step = session.scalar(
        select(StepInstance).filter_by(enrollment_id=enrollment.id, step_key=step_key)
    )
    if step is None or step.audience not in audiences:
        raise NotFound("No such step in your plan.")
    if step.status == "pending":
        raise DomainError("This step is not open yet.")
    # Completions of one plan take turns (the row lock is held to commit), so the one that
    # completes the last open step sees every other completion: see ``_finish_if_done``.
    session.execute(select(Enrollment.id).where(Enrollment.id == enrollment.id).with_for_update())
    if step.status == "completed":
        raise Conflict("This step is already complete.")
    definition = sequence_of(enrollment).steps_by_key[step_key]
    if definition.kind == "quiz" and definition.quiz is not None:
        result = grade_quiz(definition, response.get("answers", {}))
        if not result.passed:
            # Refused, so nothing is stored: the page shows the answers again from the post.
            return Completion(
                False,
                f"You scored {result.score:.0%}, and this quiz needs "
                f"{definition.quiz.pass_mark:.0%}. Have another go.",
                wrong=result.wrong,
            )
        step.response = {"answers": response.get("answers", {}), "score": result.score}
    else:
        notes = definition.notes
        if notes is not None and notes.required and not str(response.get("note", "")).strip():
            raise DomainError(f"Please fill in “{notes.label}” before marking this step done.")
        step.response = response
    claimed = rows_changed(
        session,
        update(StepInstance)
        .where(StepInstance.id == step.id, StepInstance.status == "delivered")
        .values(status="completed", completed_at=clock.now()),
    )
    if not claimed:
        raise Conflict("This step is already complete.")
    audit.record(
        session,
        clock,
        actor=actor,
        action="step.completed",
        subject_type="enrollment",
        subject_id=enrollment.id,
        step=step_key,
    )
    # Ids only, as every event: integrators read the rest through the API.
    ids = {
        "enrollment_id": enrollment.id,
        "application_id": enrollment.application_id,
        "company_id": enrollment.company_id,
    }
    outbox.record(session, clock, ONBOARDING_STEP_COMPLETED, **ids, step_key=step_key)
    if _finish_if_done(session, clock, enrollment.id):
        outbox.record(session, clock, ONBOARDING_COMPLETED, **ids)
    return Completion(True, "Done — thank you.")


def _finish_if_done(session: Session, clock: Clock, enrollment_id: int) -> bool:
    """Stamp the plan complete if no step is open and nobody stamped it yet; True for the one
    completion that did, so ``onboarding.completed`` is announced exactly once."""
    open_step = (
        select(StepInstance.id)
        .where(StepInstance.enrollment_id == enrollment_id, StepInstance.status != "completed")
        .exists()
    )
    return bool(
        rows_changed(
            session,
            update(Enrollment)
            .where(Enrollment.id == enrollment_id, Enrollment.completed_at.is_(None), ~open_step)
            .values(completed_at=clock.now()),
        )
    )


def reschedule(session: Session, clock: Clock, enrollment: Enrollment, new_start: date) -> int:
    """Move every pending step to the new start date; delivered ones stay as they were.

    Steps land on the company's working days as they are now (the enrollment keeps its time
    zone but not the working days it was planned with)."""
    company = session.get_one(Company, enrollment.company_id)
    planned = {
        p.step_key: p
        for p in scheduling.plan(
            sequence_of(enrollment), new_start, enrollment.timezone, company.working_days
        )
    }
    moved = 0
    for step in steps_of(session, enrollment):
        if step.status != "pending":
            continue
        plan = planned[step.step_key]
        step.deliver_at, step.due_at = plan.deliver_at, plan.due_at
        step.remind_at, step.escalate_at = plan.remind_at, plan.escalate_at
        moved += 1
    old = enrollment.start_date
    enrollment.start_date = new_start.isoformat()
    audit.record(
        session,
        clock,
        actor="system",
        action="enrollment.rescheduled",
        subject_type="enrollment",
        subject_id=enrollment.id,
        old_start=old,
        new_start=enrollment.start_date,
        moved=moved,
    )
    return moved


def save_manager_notes(
    session: Session, clock: Clock, enrollment: Enrollment, notes: str, by: int
) -> None:
    """Keep the manager's private notes about a hire; the audit says they changed, not what
    they say."""
    if notes == enrollment.manager_notes:
        return
    enrollment.manager_notes = notes
    audit.record(
        session,
        clock,
        actor=f"user:{by}",
        action="enrollment.notes_saved",
        subject_type="enrollment",
        subject_id=enrollment.id,
    )


@dataclass(frozen=True)
class HireProgress:
    enrollment: Enrollment
    done: int
    total: int
    manager_steps_open: tuple[StepInstance, ...]


def progress_of(session: Session, enrollment: Enrollment) -> HireProgress:
    """A hire's progress and the manager's own steps that are open now."""
    steps = steps_of(session, enrollment)
    done, total = progress(steps)
    open_for_manager = tuple(
        s for s in steps if s.audience != "new_hire" and s.status == "delivered"
    )
    return HireProgress(enrollment, done, total, open_for_manager)


@dataclass(frozen=True)
class EngineStats:
    enrollments: int
    steps: int
    pending: int
    delivered: int
    completed: int
    due_undelivered: int
    claimed_more_than_once: int


def engine_stats(session: Session, now: datetime) -> EngineStats:
    """Counts for operators and `onramp demo`: is the engine keeping up, did anything repeat?"""
    by_status = dict(
        session.execute(
            select(StepInstance.status, func.count()).group_by(StepInstance.status)
        ).all()
    )
    return EngineStats(
        enrollments=session.scalar(select(func.count()).select_from(Enrollment)) or 0,
        steps=sum(by_status.values()),
        pending=by_status.get("pending", 0),
        delivered=by_status.get("delivered", 0),
        completed=by_status.get("completed", 0),
        due_undelivered=session.scalar(
            select(func.count()).select_from(StepInstance).where(_is_due(now))
        )
        or 0,
        claimed_more_than_once=session.scalar(
            select(func.count()).select_from(StepInstance).where(StepInstance.attempts > 1)
        )
        or 0,
    )
