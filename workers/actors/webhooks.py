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
from typing import Any

from sqlalchemy import select
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


def company_of(session: Session, payload: dict[str, Any]) -> int | None:
    """The company whose event this is: named by newer events, else its application's."""
    if isinstance(payload.get("company_id"), int):
        return int(payload["company_id"])
    if isinstance(payload.get("application_id"), int):
        return session.scalar(
            select(Opening.company_id)
            .join(Application, Application.opening_id == Opening.id)
            .where(Application.id == payload["application_id"])
        )
    return None


def fan_out_webhooks(event_id: int) -> None:
    """Actor: one delivery of outbox event ``event_id`` per endpoint that wants it."""
    rt = runtime.current()
    with rt.db.unit_of_work() as session:
        event = session.get(outbox.OutboxEvent, event_id)
        company_id = company_of(session, dict(event.payload)) if event else None
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
