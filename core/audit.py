"""Append-only audit log: who changed what, when. The database refuses updates and deletes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.clock import Clock
from core.db import Base


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(120))  # "candidate", "worker", "user:17", ...
    action: Mapped[str] = mapped_column(String(64))  # "application.submitted", ...
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    data: Mapped[dict[str, Any]]

    __table_args__ = (Index("ix_audit_entry_subject", "subject_type", "subject_id"),)


def record(
    session: Session,
    clock: Clock,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: int,
    **data: Any,
) -> None:
    """Append an entry to the caller's transaction. Never put PII in ``data``."""
    session.add(
        AuditEntry(
            at=clock.now(),
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            data=data,
        )
    )
