"""Screening actors: thin adapters that load by id, call the domain and commit."""

from __future__ import annotations

import logging

from screening import applications
from workers import runtime

log = logging.getLogger(__name__)

QUEUE = "screening"


def score_application(application_id: int) -> None:
    """Score a submitted application. Redelivery is harmless: the domain claims the row."""
    rt = runtime.current()
    with rt.db.unit_of_work() as session:
        result = applications.score_application(session, rt.clock, application_id)
    if result is not None:
        log.info(
            "application scored",
            extra={"application_id": application_id, "recommendation": result.recommendation},
        )
