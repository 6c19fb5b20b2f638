"""How a worker takes one piece of outgoing work, and gives it back: the one claim mechanism.

Emails (``core.deliveries``) and outbound webhooks (``core.webhook_deliveries``) are rows
that workers claim, send and stamp. Both tables carry the same columns (``id``, ``status``,
``created_at``, ``claimed_at``, ``attempts``, ``last_error``) and this module is the only
place that reads or writes them for that purpose:

- a row is *free* when it is pending and no live worker holds it: never claimed, its latest
  attempt failed (released: ``last_error`` set), or its claim timed out (the worker died);
- it is *claimable* when it is free and, for a table with a retry schedule, its next attempt
  is due;
- a claim is one ``UPDATE … RETURNING`` that stamps ``claimed_at``, counts the attempt and
  loads the rows; a row out of attempts is marked failed instead;
- a release keeps the error (and, with a schedule, when to try again); an outage gives the
  attempt back, since it says nothing about the notice itself;
- the reconciler asks for :func:`stalled` rows: never claimed for a grace period, held by a
  worker that died, or released and due (with no schedule: once a claim timeout has passed,
  leaving the retry to the queue's own backoff until then).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from core.db import rows_changed


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting, or claimed by a worker (claimed_at set)
    SENT = "sent"
    FAILED = "failed"  # gave up after the attempt cap; visible to admins
    SKIPPED = "skipped"  # nobody to send it to any more (e.g. the recipient left)


@dataclass(frozen=True)
class Policy:
    """How long a claim lasts and how many attempts a delivery gets."""

    claim_timeout: timedelta = timedelta(minutes=5)
    max_attempts: int = 8


@dataclass(frozen=True)
class ClaimTable:
    """A table of claimable work: its mapped class, and the column holding when a released
    attempt may be retried (None: the queue retries it, no schedule is stored)."""

    model: Any
    retry_at: Any = None


def _free(table: ClaimTable, now: datetime, policy: Policy) -> Any:
    model = table.model
    return and_(
        model.status == DeliveryStatus.PENDING,
        or_(
            model.claimed_at.is_(None),
            model.last_error.is_not(None),
            model.claimed_at < now - policy.claim_timeout,
        ),
    )


def claimable(table: ClaimTable, now: datetime, policy: Policy) -> Any:
    """Pending, not held by a live worker, and (with a schedule) due."""
    if table.retry_at is None:
        return _free(table, now, policy)
    return and_(_free(table, now, policy), or_(table.retry_at.is_(None), table.retry_at <= now))


def claim_where(
    session: Session, table: ClaimTable, now: datetime, policy: Policy, which: Any
) -> list[Any]:
    """Claim every claimable row ``which`` selects in one ``UPDATE … RETURNING`` (ordered by
    id); rows out of attempts are marked failed instead when nothing could be claimed."""
    model = table.model
    values: dict[str, Any] = {
        "claimed_at": now,
        "attempts": model.attempts + 1,
        "last_error": None,
    }
    if table.retry_at is not None:
        values[table.retry_at.key] = None
    claimed = session.scalars(
        update(model)
        .where(which, claimable(table, now, policy))
        .where(model.attempts < policy.max_attempts)
        .values(values)
        .returning(model),
        execution_options={"populate_existing": True},
    ).all()
    if not claimed:  # the reconciler fails the rest of a batch's exhausted rows on its round
        fail_if_exhausted(session, table, now, policy, which)
    return sorted(claimed, key=lambda row: row.id)


def stamp(session: Session, table: ClaimTable, now: datetime, ids: Sequence[int]) -> None:
    """Mark sent, in one statement for every row of a batch."""
    if not ids:
        return
    model = table.model
    session.execute(
        update(model)
        .where(model.id.in_(ids), model.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.SENT, sent_at=now, last_error=None)
    )


def release(
    session: Session,
    table: ClaimTable,
    now: datetime,
    policy: Policy,
    row_id: int,
    error: str,
    *,
    outage: bool = False,
    retry_at: datetime | None = None,
) -> DeliveryStatus:
    """Give a failed attempt back: pending for the retry, or failed once out of attempts.

    ``claimed_at`` keeps the failed attempt's start, so the reconciler can tell a row waiting
    for its retry from one nobody will retry. ``outage``: the far side could not be reached
    or said "try later"; that says nothing about this row, so the attempt is given back.
    ``retry_at``: when the next attempt is due (tables with a schedule)."""
    model = table.model
    values: dict[str, Any] = {"last_error": error[:300]}
    if outage:
        values["attempts"] = model.attempts - 1
    if table.retry_at is not None:
        values[table.retry_at.key] = retry_at
    session.execute(
        update(model)
        .where(model.id == row_id, model.status == DeliveryStatus.PENDING)
        .values(values)
    )
    fail_if_exhausted(session, table, now, policy, model.id == row_id)
    status = session.scalar(select(model.status).where(model.id == row_id))
    return DeliveryStatus(status or DeliveryStatus.PENDING)


def fail_if_exhausted(
    session: Session, table: ClaimTable, now: datetime, policy: Policy, which: Any
) -> int:
    """Mark the free rows ``which`` selects that are out of attempts as failed."""
    model = table.model
    return rows_changed(
        session,
        update(model)
        .where(which, _free(table, now, policy))
        .where(model.attempts >= policy.max_attempts)
        .values(status=DeliveryStatus.FAILED, claimed_at=None),
    )


def stalled(
    session: Session,
    table: ClaimTable,
    now: datetime,
    grace: timedelta,
    policy: Policy,
    limit: int,
) -> list[int]:
    """Pending rows nobody is working on: never claimed for ``grace`` (their message was
    lost), no attempt begun for a claim timeout (their worker died, or the queue's retry of a
    failed attempt was lost with Redis), or, with a schedule, released and due."""
    model = table.model
    never_claimed = and_(model.claimed_at.is_(None), model.created_at < now - grace)
    timed_out = model.claimed_at < now - policy.claim_timeout
    if table.retry_at is None:
        waiting = or_(never_claimed, timed_out)
    else:
        waiting = or_(
            never_claimed, and_(table.retry_at.is_(None), timed_out), table.retry_at <= now
        )
    return list(
        session.scalars(
            select(model.id)
            .where(
                model.status == DeliveryStatus.PENDING,
                model.attempts < policy.max_attempts,
                waiting,
            )
            .order_by(model.id)
            .limit(limit)
        )
    )
