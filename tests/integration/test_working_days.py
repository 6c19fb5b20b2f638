"""A company's working days reach onboarding: steps kept to working days land on its next one,
at enrollment and when the start date moves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from core.clock import SystemClock
from core.companies import Company
from core.db import Database
from onboarding import enrollments
from onboarding.models import Enrollment
from onboarding.sequence import DEFAULT_SEQUENCE, load_sequence
from screening import decisions
from screening.models import Application

SUNDAY_TO_THURSDAY = "sun,mon,tue,wed,thu"
FOUR_DAYS = "mon,tue,wed,thu"


def _next(weekday: int, after: date) -> date:
    return after + timedelta(days=(weekday - after.weekday()) % 7 or 7)


def _weekdays(db: Database, enrollment_id: int, tz: str) -> set[int]:
    with db.unit_of_work() as session:
        enrollment = session.get_one(Enrollment, enrollment_id)
        return {
            moment.astimezone(ZoneInfo(tz)).weekday()
            for step in enrollments.steps_of(session, enrollment)
            for moment in (step.deliver_at, step.due_at)
        }


def test_a_hire_of_a_sunday_to_thursday_company_gets_steps_on_its_working_days(
    db: Database, clock: SystemClock, hired: Callable[..., int]
) -> None:
    application_id = hired(start_date=_next(6, date.today() + timedelta(days=40)))  # a Sunday
    with db.unit_of_work() as session:
        company = session.get_one(Application, application_id).opening.company
        company.working_days = SUNDAY_TO_THURSDAY
        session.flush()
        hire = decisions.hire_facts(session, application_id)
        assert hire.working_days == SUNDAY_TO_THURSDAY
        enrollment = enrollments.enroll(session, clock, hire, load_sequence(DEFAULT_SEQUENCE))
        assert enrollment is not None
        enrollment_id, company_id = enrollment.id, company.id
    assert _weekdays(db, enrollment_id, "UTC").isdisjoint({4, 5})  # no Friday, no Saturday

    with db.unit_of_work() as session:
        session.get_one(Company, company_id).working_days = FOUR_DAYS
        enrollment = session.get_one(Enrollment, enrollment_id)
        start = _next(0, date.fromisoformat(enrollment.start_date))  # a Monday
        assert enrollments.reschedule(session, clock, enrollment, start) > 0
    assert _weekdays(db, enrollment_id, "UTC") <= {0, 1, 2, 3}
