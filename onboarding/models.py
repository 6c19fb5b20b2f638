"""Onboarding tables: one enrollment per accepted hire, one row per step of its sequence."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.accounts import User  # noqa: F401 - user_account must be on the metadata
from core.db import Base


class Enrollment(Base):
    """A new hire on a sequence. Built from the hire.accepted event alone: onboarding never
    reads screening's tables."""

    __tablename__ = "enrollment"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(unique=True)  # the hire's source; one each
    company_id: Mapped[int]
    role: Mapped[str] = mapped_column(String(160))
    new_hire_name: Mapped[str] = mapped_column(String(120))
    new_hire_email: Mapped[str] = mapped_column(String(254))
    manager_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    start_date: Mapped[str] = mapped_column(String(10))
    timezone: Mapped[str] = mapped_column(String(64))
    sequence_key: Mapped[str] = mapped_column(String(64))
    sequence_version: Mapped[int]
    sequence: Mapped[dict[str, Any]]  # the exact version the hire follows
    portal_key: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime]
    # When the last step was completed: set once, by the completion that finished the plan.
    completed_at: Mapped[datetime | None]
    # The manager's private notes about the hire; never shown to the hire.
    manager_notes: Mapped[str] = mapped_column(Text, default="", server_default="")


PENDING = "status = 'pending'"
REMIND_PENDING = "status = 'delivered' AND reminded_at IS NULL"
ESCALATE_PENDING = "status = 'delivered' AND escalated_at IS NULL"


class StepInstance(Base):
    """One step for one hire. Status: pending → delivered → completed, by conditional UPDATE."""

    __tablename__ = "step_instance"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "step_key"),
        # The scheduler's query: pending steps whose time has come.
        Index("ix_step_instance_status_deliver_at", "status", "deliver_at"),
        # The same query, in the order it reads (by time, then id) among pending steps only:
        # without it PostgreSQL estimated tens of thousands of rows among 200k steps and
        # sorted a parallel bitmap scan (50 ms) to return the 500 due.
        Index(
            "ix_step_instance_deliver_due",
            "deliver_at",
            "id",
            postgresql_where=text(PENDING),
            sqlite_where=text(PENDING),
        ),
        # Its follow-up queries: delivered steps not yet reminded (escalated), by time. Partial,
        # so they hold only the few rows still waiting for one, not every delivered step.
        Index(
            "ix_step_instance_remind_due",
            "remind_at",
            "id",
            postgresql_where=text(REMIND_PENDING),
            sqlite_where=text(REMIND_PENDING),
        ),
        Index(
            "ix_step_instance_escalate_due",
            "escalate_at",
            "id",
            postgresql_where=text(ESCALATE_PENDING),
            sqlite_where=text(ESCALATE_PENDING),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id"))
    step_key: Mapped[str] = mapped_column(String(64))
    after_key: Mapped[str | None] = mapped_column(String(64))
    audience: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    deliver_at: Mapped[datetime]
    due_at: Mapped[datetime]
    remind_at: Mapped[datetime | None]
    escalate_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    response: Mapped[dict[str, Any] | None]
