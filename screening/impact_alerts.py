"""Adverse-impact alerts: one open alert per episode, its email to each admin, acknowledging it.

The daily check that opens them is :mod:`screening.impact_monitor`. This module holds only the
alert and what is sent or shown about it (a count of flagged ratios and a link, never the
categories of any one candidate), so the delivery worker can compose its email without
importing the fairness analysis.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.accounts import User
from core.clock import Clock
from core.companies import Company
from core.db import Base
from core.deliveries import Delivery
from core.notices import Notice, first_name, render
from core.settings import Settings


class AdverseImpactAlert(Base):
    """One episode of impact ratios below 0.80 for a company, open until acknowledged."""

    __tablename__ = "adverse_impact_alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    opened_at: Mapped[datetime]
    # What was flagged: {"flagged": [{"rate": "selection", "category": ["female"], …}, …]}
    findings: Mapped[dict[str, Any]]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


def open_alert(session: Session, company_id: int) -> AdverseImpactAlert | None:
    return session.scalar(
        select(AdverseImpactAlert)
        .where(
            AdverseImpactAlert.company_id == company_id,
            AdverseImpactAlert.acknowledged_at.is_(None),
        )
        .order_by(AdverseImpactAlert.id.desc())
        .limit(1)
    )


def acknowledge(session: Session, clock: Clock, company_id: int, user_id: int) -> int | None:
    """Close the company's open alert and return its id; None when none was open."""
    alert = open_alert(session, company_id)
    if alert is None:
        return None
    alert.acknowledged_at, alert.acknowledged_by = clock.now(), user_id
    return alert.id


def alert_email(session: Session, delivery: Delivery, settings: Settings) -> Notice | None:
    """The admin's email about an alert; None once it is acknowledged or the admin left."""
    alert = session.get_one(AdverseImpactAlert, delivery.subject_id)
    admin = session.get(User, delivery.recipient_user_id) if delivery.recipient_user_id else None
    if alert.acknowledged_at is not None or admin is None or not admin.is_active:
        return None
    company = session.get_one(Company, alert.company_id)
    return render(
        __package__ or "screening",
        "adverse_impact",
        to=admin.email,
        sender_name=company.sender_name,
        greeting=first_name(admin.name),
        count=len(alert.findings["flagged"]),
        window_days=settings.impact_window_days,
        link=f"{settings.base_url}/admin/insights/fairness",
    )
