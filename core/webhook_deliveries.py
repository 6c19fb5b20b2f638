"""Outbound webhook deliveries: one per (endpoint, event), claimed, POSTed, stamped.

When the relay passes on an event some endpoint wants, a worker calls :func:`fan_out`: one
:class:`WebhookDelivery` per live endpoint of the event's company that subscribed to it
(unique, so a re-run writes nothing twice), each announced through the outbox. Deliveries
use the one claim mechanism (``core.claims``): claim with a timeout, POST, stamp sent, or
release with ``next_attempt_at`` set by the retry schedule below (hours, not the minutes of a
queue's backoff), failed after the attempt cap. The reconciler re-drives the ones that are
due, and those a lost message or a dead worker left behind, and fans out again the events
whose fan-out message was lost (:func:`missing_fan_outs`). Every attempt is kept (status,
latency, a snippet of the response) for the admin's delivery log, which can send any delivery
again.

Rows hold the event's payload as the outbox carried it: ids and primitives, never personal
data (the README's event table lists each event's fields).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    Select,
    String,
    UniqueConstraint,
    exists,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import audit, claims, outbox
from core.claims import DeliveryStatus, Policy
from core.clock import Clock
from core.db import Base, rows_changed
from core.events import WEBHOOK_REQUESTED
from core.webhook_endpoints import (
    EVENTS,
    WebhookEndpoint,
    WebhookSubscription,
    endpoint_of,
    subscribed_events,
)

SNIPPET_LENGTH = 300

# The wait after failed attempt n is FIRST_RETRY * RETRY_FACTOR**(n-1), at most LONGEST_WAIT,
# each stretched or shrunk by up to JITTER so that a receiver coming back from an outage is
# not hit by every delivery in the same second. With the default 8 attempts: about 30 s,
# 2.5 min, 12.5 min, 1 h, 5 h, 8 h and 8 h, some 23 hours from the first attempt to the last.
FIRST_RETRY = timedelta(seconds=30)
RETRY_FACTOR = 5
LONGEST_WAIT = timedelta(hours=8)
JITTER = 0.1


def retry_delay(failed_attempts: int, spread: float) -> timedelta:
    """How long to wait after the ``failed_attempts``-th attempt failed; ``spread`` in [0, 1)
    picks the jitter (0.5: none)."""
    exponent = max(failed_attempts - 1, 0)
    wait = min(FIRST_RETRY * RETRY_FACTOR**exponent, LONGEST_WAIT)
    return wait * (1 - JITTER + 2 * JITTER * spread)


def retry_horizon(max_attempts: int) -> timedelta:
    """The longest a delivery can be retried for: first attempt to last, at the most jitter."""
    return sum((retry_delay(n, 1.0) for n in range(1, max_attempts)), timedelta())


class WebhookDelivery(Base):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        # One delivery per event per endpoint: the fan-out running twice writes nothing new.
        UniqueConstraint("endpoint_id", "event_id"),
        Index(
            "ix_webhook_delivery_pending",
            "created_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id"))
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    event_id: Mapped[int]  # the outbox event's id: receivers de-duplicate on it
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    occurred_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]  # as Delivery.claimed_at
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    # After a failed attempt: when the next one is due (RETRY_SCHEDULE); None while claimed.
    next_attempt_at: Mapped[datetime | None]

    def body(self) -> bytes:
        """The exact bytes POSTed (and signed); the same on every attempt."""
        document = {
            "event_id": self.event_id,
            "event": self.event,
            "occurred_at": self.occurred_at.isoformat(),
            "data": self.payload,
        }
        return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


class WebhookAttempt(Base):
    __tablename__ = "webhook_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_delivery.id"), index=True)
    attempted_at: Mapped[datetime]
    status_code: Mapped[int | None]  # None: no HTTP answer (refused, timed out, unreachable)
    latency_ms: Mapped[int]
    response_snippet: Mapped[str] = mapped_column(String(SNIPPET_LENGTH), default="")
    error: Mapped[str | None] = mapped_column(String(200))


WEBHOOKS = claims.ClaimTable(WebhookDelivery, retry_at=WebhookDelivery.next_attempt_at)


def fan_out(session: Session, clock: Clock, event_id: int, company_id: int) -> list[int]:
    """Write a delivery of outbox event ``event_id`` for each live endpoint of ``company_id``
    subscribed to it, unless one exists, and announce each new one; returns the new ids.

    Two fan-outs of the same event racing: the unique (endpoint, event) constraint fails the
    loser's transaction, and its retry finds the rows written."""
    event = session.get(outbox.OutboxEvent, event_id)
    if event is None or event.name not in EVENTS:
        return []
    wanted = session.scalars(
        select(WebhookEndpoint.id)
        .join(WebhookSubscription, WebhookSubscription.endpoint_id == WebhookEndpoint.id)
        .where(*_wanting(company_id, event.name))
    ).all()
    done = set(
        session.scalars(
            select(WebhookDelivery.endpoint_id).where(WebhookDelivery.event_id == event_id)
        )
    )
    created = []
    for endpoint_id in wanted:
        if endpoint_id in done:
            continue
        delivery = WebhookDelivery(
            endpoint_id=endpoint_id,
            company_id=company_id,
            event_id=event_id,
            event=event.name,
            payload=dict(event.payload),
            occurred_at=event.created_at,
            status=DeliveryStatus.PENDING,
            created_at=clock.now(),
            attempts=0,
        )
        session.add(delivery)
        session.flush()
        outbox.record(session, clock, WEBHOOK_REQUESTED, webhook_delivery_id=delivery.id)
        created.append(delivery.id)
    return created


def _wanting(
    company_id: int | ColumnElement[Any], event: str | ColumnElement[str]
) -> list[ColumnElement[bool]]:
    """Which endpoints (joined to their subscriptions) get a delivery of an event: the fan-out
    and the search for lost fan-outs share it, so the reconciler never re-drives an event that
    the fan-out would then skip (that would repeat every minute)."""
    return [
        WebhookEndpoint.company_id == company_id,
        WebhookEndpoint.removed_at.is_(None),
        WebhookSubscription.event == event,
    ]


def missing_fan_outs(
    session: Session,
    event_companies: Select[tuple[int, int | None]],
    sent_after: datetime,
    sent_before: datetime,
    limit: int,
) -> list[int]:
    """Outbox events sent in [``sent_after``, ``sent_before``) that an endpoint of their
    company wanted, and had already subscribed to when they happened, but that have no
    delivery for it: their ``fan_out_webhooks`` message was lost. Returns event ids.

    ``event_companies`` selects outbox events as ``(event_id, company_id)``: which company an
    event belongs to is read from the screening side, which ``core`` does not import, so the
    caller passes the same query the fan-out actor uses. An endpoint created after the event
    is not owed it: otherwise every new endpoint would be sent the last day's history.
    """
    names = sorted(subscribed_events(session) & EVENTS.keys())
    if not names:  # no endpoint anywhere: nothing to look for (most deployments)
        return []
    recent = (
        event_companies.add_columns(outbox.OutboxEvent.name, outbox.OutboxEvent.created_at)
        .where(
            outbox.OutboxEvent.name.in_(names),
            outbox.OutboxEvent.sent_at >= sent_after,
            outbox.OutboxEvent.sent_at < sent_before,
        )
        .subquery()
    )
    # Two levels down: correlated by hand (auto-correlation reaches one enclosing level).
    undelivered = ~exists(
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.endpoint_id == WebhookEndpoint.id,
            WebhookDelivery.event_id == recent.c.event_id,
        )
        .correlate_except(WebhookDelivery)
    )
    owed = (
        select(WebhookEndpoint.id)
        .join(WebhookSubscription, WebhookSubscription.endpoint_id == WebhookEndpoint.id)
        .where(
            *_wanting(recent.c.company_id, recent.c.name),
            WebhookEndpoint.created_at <= recent.c.created_at,
            undelivered,
        )
    )
    return list(
        session.scalars(
            select(recent.c.event_id).where(owed.exists()).order_by(recent.c.event_id).limit(limit)
        )
    )


@dataclass(frozen=True)
class Claimed:
    """What a worker needs for one attempt, read inside the claim's transaction."""

    delivery_id: int
    url: str
    secret: str
    body: bytes
    event: str
    event_id: int


def claim(session: Session, clock: Clock, delivery_id: int, policy: Policy) -> Claimed | None:
    """Claim a pending delivery that is due; None if sent, failed, held by a live worker, not
    due yet, or its endpoint was removed (then it is closed as failed). Out of attempts:
    marked failed here."""
    claimed = claims.claim_where(
        session, WEBHOOKS, clock.now(), policy, WebhookDelivery.id == delivery_id
    )
    if not claimed:
        return None
    [delivery] = claimed
    endpoint = session.get_one(WebhookEndpoint, delivery.endpoint_id)
    if endpoint.removed_at is not None:
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = "endpoint removed"
        return None
    return Claimed(
        delivery.id,
        endpoint.url,
        endpoint.secret,
        delivery.body(),
        delivery.event,
        delivery.event_id,
    )


@dataclass(frozen=True)
class Outcome:
    """One attempt's result, as the worker observed it."""

    status_code: int | None
    latency_ms: int
    response_snippet: str = ""
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


def record_attempt(
    session: Session, clock: Clock, delivery_id: int, outcome: Outcome, policy: Policy
) -> DeliveryStatus:
    """Keep the attempt, then stamp the delivery sent, or release it for a retry (failed once
    out of attempts). Returns the delivery's status afterwards."""
    now = clock.now()
    session.add(
        WebhookAttempt(
            delivery_id=delivery_id,
            attempted_at=now,
            status_code=outcome.status_code,
            latency_ms=outcome.latency_ms,
            response_snippet=outcome.response_snippet[:SNIPPET_LENGTH],
            error=outcome.error[:200] if outcome.error else None,
        )
    )
    if outcome.succeeded:
        claims.stamp(session, WEBHOOKS, now, [delivery_id])
        status = session.scalar(
            select(WebhookDelivery.status).where(WebhookDelivery.id == delivery_id)
        )
        return DeliveryStatus(status or DeliveryStatus.PENDING)
    attempts = session.scalar(
        select(WebhookDelivery.attempts).where(WebhookDelivery.id == delivery_id)
    )
    retry_at = now + retry_delay(attempts or 1, random.random())
    return claims.release(
        session,
        WEBHOOKS,
        now,
        policy,
        delivery_id,
        outcome.error or f"HTTP {outcome.status_code}",
        retry_at=retry_at,
    )


def fail_exhausted(session: Session, clock: Clock, policy: Policy) -> int:
    return claims.fail_if_exhausted(
        session, WEBHOOKS, clock.now(), policy, WebhookDelivery.id.is_not(None)
    )


def stalled(
    session: Session, now: datetime, grace: timedelta, policy: Policy, limit: int
) -> list[int]:
    """Pending deliveries nobody is working on, and released ones whose retry is due."""
    return claims.stalled(session, WEBHOOKS, now, grace, policy, limit)


def resend(session: Session, clock: Clock, company_id: int, delivery_id: int, actor: str) -> bool:
    """An admin sends a delivery again (sent or failed) with a fresh set of attempts, now."""
    resent = rows_changed(
        session,
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.company_id == company_id,
            WebhookDelivery.status.in_([DeliveryStatus.SENT, DeliveryStatus.FAILED]),
        )
        .values(
            status=DeliveryStatus.PENDING,
            attempts=0,
            claimed_at=None,
            sent_at=None,
            last_error=None,
            next_attempt_at=None,
        ),
    )
    if resent:
        outbox.record(session, clock, WEBHOOK_REQUESTED, webhook_delivery_id=delivery_id)
        audit.record(
            session,
            clock,
            actor=actor,
            action="webhook_delivery.resent",
            subject_type="webhook_delivery",
            subject_id=delivery_id,
            company_id=company_id,
        )
    return bool(resent)


@dataclass(frozen=True)
class LogEntry:
    delivery: WebhookDelivery
    attempts: list[WebhookAttempt]


def delivery_log(
    session: Session, company_id: int, endpoint_id: int, limit: int = 50
) -> list[LogEntry]:
    """An endpoint's latest deliveries, newest first, each with its attempts (newest first)."""
    endpoint_of(session, company_id, endpoint_id)
    rows = session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    ).all()
    attempts: dict[int, list[WebhookAttempt]] = {}
    for attempt in session.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_([row.id for row in rows]))
        .order_by(WebhookAttempt.id.desc())
    ):
        attempts.setdefault(attempt.delivery_id, []).append(attempt)
    return [LogEntry(row, attempts.get(row.id, [])) for row in rows]
