"""Who may see and do what in screening, for a signed-in staff member (one place to look).

Everything is scoped to the user's company: another company's ids answer "not found", never
"forbidden", so nobody learns what exists elsewhere. Within a company, admins and recruiters
see every opening; a manager sees the openings whose interview panel they sit on. An API key
sees its whole company (``company_*``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts import User
from core.errors import NotFound
from screening.models import Application, Opening, OpeningManager


def visible_openings(user: User) -> Any:
    """A subquery of the opening ids this user may see."""
    if user.sees_whole_company:
        return select(Opening.id).where(Opening.company_id == user.company_id)
    return (
        select(OpeningManager.opening_id)
        .join(Opening, Opening.id == OpeningManager.opening_id)
        .where(OpeningManager.user_id == user.id, Opening.company_id == user.company_id)
    )


def openings_for(session: Session, user: User) -> list[Opening]:
    return list(
        session.scalars(
            select(Opening).where(Opening.id.in_(visible_openings(user))).order_by(Opening.title)
        )
    )


def opening_for(session: Session, user: User, opening_id: int) -> Opening:
    return _opening_among(session, visible_openings(user), opening_id)


def application_for(session: Session, user: User, application_id: int) -> Application:
    """The application if the user may see it; NotFound otherwise (no existence leak)."""
    return _application_among(session, visible_openings(user), application_id, "candidate")


def _opening_among(session: Session, opening_ids: Any, opening_id: int) -> Opening:
    opening = session.scalar(
        select(Opening).where(Opening.id == opening_id, Opening.id.in_(opening_ids))
    )
    if opening is None:
        raise NotFound("No such opening.")
    return opening


def _application_among(
    session: Session, opening_ids: Any, application_id: int, called: str
) -> Application:
    """A submitted application of one of these openings; NotFound otherwise, worded as the
    caller's audience calls it."""
    application = session.scalar(
        select(Application).where(
            Application.id == application_id,
            Application.opening_id.in_(opening_ids),
            Application.status != "started",
        )
    )
    if application is None:
        raise NotFound(f"No such {called}.")
    return application


# --- an API key: the whole of its company, nothing else --------------------------------------


def company_openings(company_id: int) -> Any:
    """A subquery of a company's opening ids (what its API keys see)."""
    return select(Opening.id).where(Opening.company_id == company_id)


def company_opening(session: Session, company_id: int, opening_id: int) -> Opening:
    return _opening_among(session, company_openings(company_id), opening_id)


def company_application(session: Session, company_id: int, application_id: int) -> Application:
    """A submitted application of the company's; NotFound otherwise (no existence leak)."""
    return _application_among(session, company_openings(company_id), application_id, "application")


def may_manage_openings(user: User) -> bool:
    """Create, edit, pause and close openings and their panels."""
    return user.sees_whole_company


def is_on_panel(session: Session, user: User, opening_id: int) -> bool:
    """Only panel members rate candidates (an admin's rating would skew the panel mean)."""
    return session.get(OpeningManager, (opening_id, user.id)) is not None
