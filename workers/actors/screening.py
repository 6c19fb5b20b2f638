"""Screening actors: thin adapters that load by id, call the domain and commit."""

from __future__ import annotations

import logging

from screening import applications
from workers import batches

log = logging.getLogger(__name__)

QUEUE = "screening"


def score_applications(application_ids: list[int]) -> None:
    """Score submitted applications, a relay pass's worth in one transaction. Redelivery is
    harmless: the domain claims each row, and an id already scored (or unknown) is skipped."""
    scored = batches.in_one_transaction(application_ids, applications.score_application)
    for application_id, result in scored.items():
        if result is not None:
            log.info(
                "application scored",
                extra={"application_id": application_id, "recommendation": result.recommendation},
            )
