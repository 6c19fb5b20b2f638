"""Append-only audit log: who changed what, when. The database refuses updates and deletes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, insert
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


@dataclass(frozen=True)
class Entry:
    """One entry of :func:`record_many`: the arguments of :func:`record` but the clock."""

    actor: str
    action: str
    subject_type: str
    subject_id: int
    data: dict[str, Any] = field(default_factory=dict)


def record_many(session: Session, clock: Clock, entries: Sequence[Entry]) -> None:
    """Append many entries with one multi-row INSERT (a batch actor's hundreds of entries
    would otherwise be flushed one ``INSERT … RETURNING`` at a time). Never PII in ``data``."""
    if not entries:
        return
    at = clock.now()
    session.execute(
        insert(AuditEntry),
        [
            {
                "at": at,
                "actor": entry.actor,
                "action": entry.action,
                "subject_type": entry.subject_type,
                "subject_id": entry.subject_id,
                "data": entry.data,
            }
            for entry in entries
        ],
    )
