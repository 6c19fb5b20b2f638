"""A company's submitted applications, filtered and read page by page (for the JSON API).

Pages follow the application id upwards: a client keeps the last id it saw (the API wraps it
in an opaque cursor) and asks for what comes after, so rows added meanwhile are not skipped
or read twice the way offsets would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from screening.access import company_openings
from screening.models import Application, ApplicationScore, Packet


@dataclass(frozen=True)
class ApplicationFilter:
    """None: no condition on that."""

    opening_id: int | None = None
    status: str | None = None  # submitted | scored
    recommendation: str | None = None  # advance | review | hold
    submitted_after: datetime | None = None


@dataclass(frozen=True)
class ApplicationRow:
    application: Application
    score: ApplicationScore | None
    has_packet: bool


@dataclass(frozen=True)
class ApplicationPage:
    rows: list[ApplicationRow]
    last_id: int | None  # None: this is the last page


def company_applications(
    session: Session,
    company_id: int,
    wanted: ApplicationFilter,
    *,
    after_id: int = 0,
    limit: int = 50,
) -> ApplicationPage:
    """Up to ``limit`` submitted applications of the company with ids above ``after_id``."""
    query = (
        select(
            Application, ApplicationScore, exists().where(Packet.application_id == Application.id)
        )
        .outerjoin(ApplicationScore, ApplicationScore.application_id == Application.id)
        .where(
            Application.opening_id.in_(company_openings(company_id)),
            Application.status != "started",
            Application.id > after_id,
        )
    )
    if wanted.opening_id is not None:
        query = query.where(Application.opening_id == wanted.opening_id)
    if wanted.status is not None:
        query = query.where(Application.status == wanted.status)
    if wanted.recommendation is not None:
        query = query.where(ApplicationScore.recommendation == wanted.recommendation)
    if wanted.submitted_after is not None:
        query = query.where(Application.submitted_at > wanted.submitted_after)
    found = session.execute(query.order_by(Application.id).limit(limit + 1)).all()
    rows = [ApplicationRow(app, score, bool(packet)) for app, score, packet in found[:limit]]
    more = len(found) > limit
    return ApplicationPage(rows, rows[-1].application.id if more and rows else None)
