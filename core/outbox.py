"""Transactional outbox: events commit with the business rows that caused them.

Writers call :func:`record` inside their unit of work. A relay (``workers.relay``) later reads
unsent rows in id order, hands them to the broker and marks them sent. If the broker is down
the rows simply wait; nothing is lost. Delivery is at-least-once, so consumers are idempotent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, func, insert, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.clock import Clock
from core.db import Base


class OutboxEvent(Base):
    __tablename__ = "outbox_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))

    # The relay's only query: unsent rows in id order. Partial where supported.
    __table_args__ = (
        Index(
            "ix_outbox_event_unsent",
            "id",
            postgresql_where=text("sent_at IS NULL"),
            sqlite_where=text("sent_at IS NULL"),
        ),
        # The reconciler's search for lost webhook fan-outs: a day of some events by when they
        # were sent. Without it, a parallel scan of every event ever written each minute.
        Index("ix_outbox_event_name_sent_at", "name", "sent_at"),
    )


@dataclass(frozen=True)
class Event:
    id: int
    name: str
    payload: dict[str, Any]


def record(session: Session, clock: Clock, name: str, **payload: Any) -> None:
    """Add an event to the caller's transaction. Payloads are ids and primitives only."""
    session.add(OutboxEvent(name=name, payload=payload, created_at=clock.now()))


def record_many(
    session: Session, clock: Clock, events: Sequence[tuple[str, dict[str, Any]]]
) -> None:
    """Add many events (name, payload) to the caller's transaction in one multi-row INSERT."""
    if not events:
        return
    now = clock.now()
    session.execute(
        insert(OutboxEvent),
        [{"name": name, "payload": payload, "created_at": now} for name, payload in events],
    )


def relay_batch(
    session: Session,
    clock: Clock,
    send: Callable[[Sequence[Event]], None],
    limit: int,
    created_before: datetime | None = None,
) -> int:
    """Send up to ``limit`` unsent events and mark them sent; returns how many were sent.

    Runs inside the caller's transaction, for PostgreSQL: rows are locked (SKIP LOCKED) so two
    relays never send the same row at once. If ``send`` raises, the transaction rolls back and
    the rows stay unsent. ``created_before`` limits a pass to old rows: the reconciler's nudge
    when no relay is keeping up. (On SQLite a transaction holds the whole database's write
    lock: use :func:`unsent`, send outside any transaction, then :func:`mark_sent`.)
    """
    events = unsent(session, limit, created_before)
    if not events:
        return 0
    send(events)
    return mark_sent(session, clock, [event.id for event in events])


def unsent(session: Session, limit: int, created_before: datetime | None = None) -> list[Event]:
    # Columns, not ORM objects: the relay's hot path has no use for identity-mapped rows.
    query = (
        select(OutboxEvent.id, OutboxEvent.name, OutboxEvent.payload)
        .where(OutboxEvent.sent_at.is_(None))
        .order_by(OutboxEvent.id)
    )
    if created_before is not None:
        query = query.where(OutboxEvent.created_at < created_before)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = session.execute(query.limit(limit)).all()
    return [Event(id_, name, dict(payload)) for id_, name, payload in rows]


def mark_sent(session: Session, clock: Clock, ids: Sequence[int]) -> int:
    session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_(ids))
        .values(sent_at=clock.now(), attempts=OutboxEvent.attempts + 1)
    )
    return len(ids)


def unsent_count(session: Session) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.sent_at.is_(None))
        )
        or 0
    )


def oldest_unsent_at(session: Session) -> datetime | None:
    """When the oldest waiting event was written: now minus this is the relay's lag."""
    return session.scalar(
        select(func.min(OutboxEvent.created_at)).where(OutboxEvent.sent_at.is_(None))
    )
