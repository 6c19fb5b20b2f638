"""Screening actors: thin adapters that load by id, call the domain and commit."""

from __future__ import annotations

import logging

from core.deliveries import NoticeKind
from screening import screenings
from workers import batches
from workers.actors import deliveries

log = logging.getLogger(__name__)

QUEUE = "screening"


def screen_applications(application_ids: list[int]) -> None:
    """Score submitted applications and build their packets (a relay pass's worth in one
    transaction), then email each panel member once.

    Redelivery is harmless: the domain claims each application, builds a packet only where
    none exists, and an email already sent is not claimable. A retry after a failed email
    (the mail server down) finds the packets built and sends what is still pending; if this
    worker dies after the commit, the reconciler re-drives the emails left pending."""
    screened = batches.in_one_transaction(application_ids, screenings.screen)
    for result in screened.values():
        if result.recommendation is not None:
            log.info(
                "application screened",
                extra={
                    "application_id": result.application_id,
                    "packet_id": result.packet_id,
                    "recommendation": result.recommendation,
                },
            )
    packet_ids = [r.packet_id for r in screened.values() if r.packet_id is not None]
    if packet_ids:
        deliveries.send_pending(NoticeKind.PACKET_READY, packet_ids)
