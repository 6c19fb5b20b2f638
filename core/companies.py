"""Companies are workspaces (tenants): every staff account, opening and hire belongs to one.

Shared kernel: screening and onboarding both scope everything they show to a company, and
the company's own settings (promise, contact address, colour, time zone, working days) shape
what candidates, new hires and emails see.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.clock import Clock
from core.db import Base
from core.errors import Conflict, DomainError, NotFound

DEFAULT_ACCENT = "#1d5c8c"
WORKING_DAYS = "mon,tue,wed,thu,fri"


class Company(Base):
    __tablename__ = "company"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    promise: Mapped[str] = mapped_column(String(400))
    mission: Mapped[str] = mapped_column(String(600), default="")
    # IANA zone for onboarding times (steps arrive at 09:00 local).
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # Where candidates ask for an adjustment or an alternative process; empty: not set yet.
    contact_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    accent_color: Mapped[str] = mapped_column(
        String(7), default=DEFAULT_ACCENT, server_default=DEFAULT_ACCENT
    )
    # The display name on outgoing email ("Northwind Hiring <no-reply@…>"); empty: ours.
    sender_name: Mapped[str] = mapped_column(String(80), default="", server_default="")
    working_days: Mapped[str] = mapped_column(
        String(32), default=WORKING_DAYS, server_default=WORKING_DAYS
    )
    # Days to keep candidates' personal data; None: the deployment's ONRAMP_RETENTION_DAYS.
    retention_days: Mapped[int | None]
    # Opt-in: after a decision, candidates may open a short developmental report (no scores).
    feedback_reports: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Optional short messages to a candidate when a person records "advance" or "reject";
    # empty (the default): no message is sent.
    outcome_advance_message: Mapped[str] = mapped_column(
        String(1000), default="", server_default=""
    )
    outcome_reject_message: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    created_at: Mapped[datetime]


def company_by_slug(session: Session, slug: str) -> Company:
    company = session.scalar(select(Company).filter_by(slug=slug))
    if company is None:
        raise NotFound("We could not find that company.")
    return company


def all_companies(session: Session) -> list[Company]:
    return list(session.scalars(select(Company).order_by(Company.name)))


SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")


def create_company(
    session: Session,
    clock: Clock,
    *,
    name: str,
    slug: str,
    promise: str = "",
    timezone: str = "UTC",
) -> Company:
    """A new workspace; its slug is its address (``/c/<slug>``) and cannot be taken twice."""
    slug = slug.strip().lower()
    if not SLUG.fullmatch(slug):
        raise DomainError(
            "Use lowercase letters, digits and hyphens for the short name, e.g. 'northwind'."
        )
    if not name.strip():
        raise DomainError("Give the company a name.")
    if session.scalar(select(Company.id).filter_by(slug=slug)) is not None:
        raise Conflict(f"The short name '{slug}' is taken. Choose another.")
    company = Company(
        slug=slug,
        name=name.strip(),
        promise=promise.strip(),
        mission="",
        timezone=timezone,
        created_at=clock.now(),
    )
    session.add(company)
    session.flush()
    return company
