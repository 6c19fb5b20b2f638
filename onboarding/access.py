"""Who may see which new hires, for a signed-in staff member (one place to look).

Scoped to the user's company: another company's hires answer "not found". Admins and
recruiters see every hire of their company; a manager sees the hires they look after. An API
key sees every hire of its company (``company_*``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts import User
from core.errors import NotFound
from onboarding.enrollments import HireProgress, progress_of
from onboarding.models import Enrollment


def _visible(user: User) -> Any:
    query = select(Enrollment).where(Enrollment.company_id == user.company_id)
    if not user.sees_whole_company:
        query = query.where(Enrollment.manager_user_id == user.id)
    return query


def hires_for(session: Session, user: User) -> list[HireProgress]:
    """New hires this user may see, newest start first, with progress."""
    query = _visible(user).order_by(Enrollment.start_date.desc(), Enrollment.id.desc())
    return [progress_of(session, enrollment) for enrollment in session.scalars(query)]


def enrollment_for(session: Session, user: User, enrollment_id: int) -> Enrollment:
    enrollment = session.scalar(_visible(user).where(Enrollment.id == enrollment_id))
    if enrollment is None:
        raise NotFound("No such new hire.")
    return enrollment


def company_enrollments(
    session: Session, company_id: int, *, after_id: int = 0, limit: int = 50
) -> list[Enrollment]:
    """Up to ``limit`` hires of the company (what its API keys see) with ids above
    ``after_id``, oldest first: pages that follow the id, as the API's every list."""
    query = select(Enrollment).where(Enrollment.company_id == company_id, Enrollment.id > after_id)
    return list(session.scalars(query.order_by(Enrollment.id).limit(limit)))


def company_enrollment(session: Session, company_id: int, enrollment_id: int) -> Enrollment:
    enrollment = session.scalar(
        select(Enrollment).where(
            Enrollment.id == enrollment_id, Enrollment.company_id == company_id
        )
    )
    if enrollment is None:
        raise NotFound("No such new hire.")
    return enrollment


def enrollment_of_application(
    session: Session, company_id: int, application_id: int
) -> Enrollment | None:
    """The company's hire enrolled from ``application_id``, or None before the worker has
    enrolled them (moments after acceptance). For changes that follow the application, such as
    its start date, made by whoever may see the application (screening's access decides)."""
    return session.scalar(
        select(Enrollment).where(
            Enrollment.application_id == application_id, Enrollment.company_id == company_id
        )
    )


def may_complete_manager_step(user: User, enrollment: Enrollment) -> bool:
    """Only the hire's own manager marks a manager step done (not an admin passing by)."""
    return enrollment.manager_user_id == user.id
