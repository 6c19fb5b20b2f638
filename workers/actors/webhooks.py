"""Outbound webhook actors: fan an event out to its company's endpoints, then POST each.

Both take ids and are idempotent: a fan-out writes one delivery per (endpoint, event) however
often it runs, and a send claims its delivery first, so a duplicate message finds nothing to
do. A failed attempt is recorded with when the next one is due (``next_attempt_at``, on a
schedule of hours: ``core.webhook_deliveries.retry_delay``); the reconciler sends it round
again then, so no message waits in Redis for hours.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from core import outbox, webhook_deliveries
from core.claims import DeliveryStatus, Policy
from core.settings import Settings
from screening.models import Application, Opening
from workers import runtime, webhook_client

log = logging.getLogger(__name__)

QUEUE = "webhooks"


def policy(settings: Settings) -> Policy:
    return Policy(
        claim_timeout=timedelta(seconds=settings.delivery_claim_timeout_seconds),
        max_attempts=settings.webhook_max_attempts,
    )


def event_companies() -> Select[tuple[int, int | None]]:
    """Outbox events as ``(event_id, company_id)``: the company newer events name, else their
    application's. A query rather than Python, so that the reconciler's search for lost
    fan-outs (``core.webhook_deliveries.missing_fan_outs``) decides it exactly as the fan-out
    does, for a day of events in one statement."""
    event = outbox.OutboxEvent
    return (
        select(
            event.id.label("event_id"),
            func.coalesce(event.payload["company_id"].as_integer(), Opening.company_id).label(
                "company_id"
            ),
        )
        .outerjoin(Application, Application.id == event.payload["application_id"].as_integer())
        .outerjoin(Opening, Opening.id == Application.opening_id)
    )


def company_of(session: Session, event_id: int) -> int | None:
    """The company whose event this is; None for an unknown event or one without a company."""
    row = session.execute(event_companies().where(outbox.OutboxEvent.id == event_id)).first()
    return row.company_id if row else None


def fan_out_webhooks(event_id: int) -> None:
    """Actor: one delivery of outbox event ``event_id`` per endpoint that wants it."""
    rt = runtime.current()
    with rt.db.unit_of_work() as session:
        company_id = company_of(session, event_id)
        if company_id is None:
            return
        created = webhook_deliveries.fan_out(session, rt.clock, event_id, company_id)
    if created:
        log.info("webhook deliveries written", extra={"event_id": event_id, "count": len(created)})


def send_webhook(webhook_delivery_id: int) -> DeliveryStatus | None:
    """Actor: claim → POST → record the attempt; stamp sent, or release for a retry when it
    is due. Returns the status afterwards (None: nothing to do, or not due yet)."""
    rt = runtime.current()
    rules = policy(rt.settings)
    with rt.db.unit_of_work() as session:
        claimed = webhook_deliveries.claim(session, rt.clock, webhook_delivery_id, rules)
    if claimed is None:
        return None
    outcome = webhook_client.post(rt.settings, claimed)
    with rt.db.unit_of_work() as session:
        status = webhook_deliveries.record_attempt(
            session, rt.clock, webhook_delivery_id, outcome, rules
        )
    fields = {
        "webhook_delivery_id": webhook_delivery_id,
        "status_code": outcome.status_code,
        "error": outcome.error,
        "latency_ms": outcome.latency_ms,
    }
    if status is DeliveryStatus.PENDING:
        log.warning("webhook attempt failed; retried when due", extra=fields)
    elif status is DeliveryStatus.FAILED:
        log.error("webhook delivery failed for good", extra=fields)
    return status
