"""Outbound webhook endpoints: where a company wants its events sent, and which events.

An admin registers an endpoint (URL, secret, events); ``core.webhook_deliveries`` then writes
one delivery per (endpoint, event) of the company's events and workers POST them, signed
(``core.signatures``). URLs are checked against SSRF here and again at connect time
(``core.safe_urls``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import audit
from core.clock import Clock
from core.companies import Company  # noqa: F401 - company must be on the metadata
from core.db import Base
from core.errors import DomainError, NotFound
from core.events import (
    APPLICATION_SCORED,
    DECISION_MADE,
    HIRE_ACCEPTED,
    ONBOARDING_COMPLETED,
    ONBOARDING_STEP_COMPLETED,
    PACKET_READY,
)
from core.safe_urls import RefusedURL, check_reachable


class InvalidEndpoint(DomainError):
    """An endpoint the admin must correct; ``field`` names what to correct."""

    status_code = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# The events an endpoint may subscribe to, in the words the admin page shows.
EVENTS: dict[str, str] = {
    APPLICATION_SCORED: "An application was scored",
    PACKET_READY: "An interview packet is ready",
    DECISION_MADE: "Someone decided on an application",
    HIRE_ACCEPTED: "A candidate accepted an offer",
    ONBOARDING_STEP_COMPLETED: "A new hire completed an onboarding step",
    ONBOARDING_COMPLETED: "A new hire completed onboarding",
}


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    # Kept as given: signing needs the secret itself (it is shown to the admin once).
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscription"

    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id"), primary_key=True)
    event: Mapped[str] = mapped_column(String(64), primary_key=True)


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def create_endpoint(
    session: Session,
    clock: Clock,
    *,
    company_id: int,
    url: str,
    events: list[str],
    secret: str = "",
    allow_private: bool,
    actor: str,
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its secret (generated when none is given)."""
    try:
        url = check_reachable(url.strip(), allow_private=allow_private)
    except RefusedURL as exc:
        raise InvalidEndpoint("url", str(exc)) from None
    if not events or set(events) - EVENTS.keys():
        raise InvalidEndpoint("events", "Pick at least one of the events listed.")
    secret = secret.strip() or new_secret()
    if not 16 <= len(secret) <= 128:
        raise InvalidEndpoint(
            "secret", "Use a secret of 16 to 128 characters, or leave it empty for one."
        )
    endpoint = WebhookEndpoint(
        company_id=company_id, url=url, secret=secret, created_at=clock.now()
    )
    session.add(endpoint)
    session.flush()
    for event in sorted(set(events)):
        session.add(WebhookSubscription(endpoint_id=endpoint.id, event=event))
    audit.record(
        session,
        clock,
        actor=actor,
        action="webhook_endpoint.created",
        subject_type="webhook_endpoint",
        subject_id=endpoint.id,
        company_id=company_id,
        events=sorted(set(events)),
    )
    return endpoint, secret


def endpoint_of(session: Session, company_id: int, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.company_id != company_id or endpoint.removed_at:
        raise NotFound("We could not find that endpoint.")
    return endpoint


def remove_endpoint(
    session: Session, clock: Clock, company_id: int, endpoint_id: int, actor: str
) -> None:
    """Stop sending to an endpoint; its delivery log stays for the record."""
    endpoint = endpoint_of(session, company_id, endpoint_id)
    endpoint.removed_at = clock.now()
    audit.record(
        session,
        clock,
        actor=actor,
        action="webhook_endpoint.removed",
        subject_type="webhook_endpoint",
        subject_id=endpoint.id,
        company_id=company_id,
    )


@dataclass(frozen=True)
class EndpointSummary:
    endpoint: WebhookEndpoint
    events: list[str]


def endpoints(session: Session, company_id: int) -> list[EndpointSummary]:
    rows = session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.company_id == company_id, WebhookEndpoint.removed_at.is_(None))
        .order_by(WebhookEndpoint.id)
    ).all()
    subscribed = _subscriptions(session, [row.id for row in rows])
    return [EndpointSummary(row, subscribed.get(row.id, [])) for row in rows]


def _subscriptions(session: Session, endpoint_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for endpoint_id, event in session.execute(
        select(WebhookSubscription.endpoint_id, WebhookSubscription.event)
        .where(WebhookSubscription.endpoint_id.in_(endpoint_ids))
        .order_by(WebhookSubscription.event)
    ):
        found.setdefault(endpoint_id, []).append(event)
    return found


def subscribed_events(session: Session) -> set[str]:
    """Events some live endpoint wants: the relay fans out only these."""
    return set(
        session.scalars(
            select(WebhookSubscription.event)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookSubscription.endpoint_id)
            .where(WebhookEndpoint.removed_at.is_(None))
            .distinct()
        )
    )
