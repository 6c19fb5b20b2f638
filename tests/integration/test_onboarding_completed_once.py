"""``onboarding.completed`` is announced exactly once, even when the plan's last two steps
are completed at the same moment by two requests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import case, select, text, update
from sqlalchemy.orm import Session

from core.clock import SystemClock
from core.db import Database
from core.events import ONBOARDING_COMPLETED
from core.outbox import OutboxEvent
from onboarding import enrollments
from onboarding.models import Enrollment, StepInstance
from onboarding.sequence import DEFAULT_SEQUENCE, load_sequence
from screening import decisions


def plan_with_two_open_steps(db: Database, hired: Callable[..., int]) -> tuple[int, str, str]:
    """An enrollment whose every step is done but two plain new-hire steps, both open."""
    application_id = hired(start_date=date.today() + timedelta(days=14))
    with db.unit_of_work() as session:
        hire = decisions.hire_facts(session, application_id)
        enrollment = enrollments.enroll(
            session, SystemClock(), hire, load_sequence(DEFAULT_SEQUENCE)
        )
        assert enrollment is not None
        sequence = enrollments.sequence_of(enrollment)
        first, second = [
            step
            for step in enrollments.steps_of(session, enrollment)
            if step.audience == "new_hire"
            and sequence.steps_by_key[step.step_key].kind != "quiz"
            and sequence.steps_by_key[step.step_key].notes is None
        ][:2]
        session.execute(
            update(StepInstance)
            .where(StepInstance.enrollment_id == enrollment.id)
            .values(
                status=case(
                    (StepInstance.id.in_([first.id, second.id]), "delivered"),
                    else_="completed",
                )
            )
        )
        return enrollment.id, first.step_key, second.step_key


def complete(session: Session, enrollment_id: int, step_key: str) -> bool:
    enrollment = session.get_one(Enrollment, enrollment_id)
    done = enrollments.complete_step(
        session, SystemClock(), enrollment, step_key, {"acknowledged": True}
    )
    return done.completed


def announcements(db: Database, enrollment_id: int) -> int:
    with db.unit_of_work() as session:
        payloads = session.scalars(
            select(OutboxEvent.payload).where(OutboxEvent.name == ONBOARDING_COMPLETED)
        )
        return sum(1 for payload in payloads if payload["enrollment_id"] == enrollment_id)


def test_completing_the_last_step_announces_the_plan_once_and_stamps_it(
    db: Database, hired: Callable[..., int]
) -> None:
    enrollment_id, first, second = plan_with_two_open_steps(db, hired)
    with db.unit_of_work() as session:
        assert complete(session, enrollment_id, first)
    assert announcements(db, enrollment_id) == 0
    with db.unit_of_work() as session:
        assert complete(session, enrollment_id, second)
    assert announcements(db, enrollment_id) == 1
    with db.unit_of_work() as session:
        assert session.get_one(Enrollment, enrollment_id).completed_at is not None


def test_the_last_two_steps_completed_at_the_same_moment_announce_the_plan_once(
    db: Database, hired: Callable[..., int]
) -> None:
    """Without the enrollment's row lock each transaction counts the other's step as open
    (neither has committed) and the announcement is lost."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time in: there is no such moment")
    enrollment_id, first, second = plan_with_two_open_steps(db, hired)
    results: list[bool] = []
    errors: list[BaseException] = []

    def the_other_request() -> None:
        try:
            with db.unit_of_work() as session:
                session.execute(text("SET application_name = 'the-other-request'"))
                results.append(complete(session, enrollment_id, second))
        except BaseException as exc:
            errors.append(exc)

    other = threading.Thread(target=the_other_request)
    with db.unit_of_work() as session:
        assert complete(session, enrollment_id, first)
        other.start()
        with db.engine.connect() as watcher:  # until the other request waits for our lock
            for _ in range(2000):
                waiting = watcher.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE application_name = 'the-other-request' AND wait_event_type = 'Lock'"
                    )
                ).scalar()
                if waiting or not other.is_alive():
                    break
                threading.Event().wait(0.01)
    other.join(timeout=30)
    assert errors == [] and results == [True]
    assert announcements(db, enrollment_id) == 1
    with db.unit_of_work() as session:
        assert session.get_one(Enrollment, enrollment_id).completed_at is not None
