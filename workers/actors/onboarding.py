"""Onboarding actors: enroll a hire, deliver a step, remind, escalate. Ids in, claims inside."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from core.clock import Clock
from core.deliveries import NoticeKind
from onboarding import customization, enrollments
from onboarding.sequence import DEFAULT_SEQUENCE, Sequence, load_sequence
from screening import decisions
from workers import runtime
from workers.actors import deliveries

log = logging.getLogger(__name__)

QUEUE = "onboarding"


@cache
def default_sequence() -> Sequence:
    return load_sequence(DEFAULT_SEQUENCE)


def enroll_hire(application_id: int, start_date: str | None = None, **_legacy: Any) -> None:
    """Idempotent: one enrollment per hire, however often hire.accepted arrives.

    The event carries ids only; the new hire's contact details are read from screening here,
    at the last moment. (``_legacy`` swallows the personal fields that events written before
    this change still carry; they are not used.)"""
    rt = runtime.current()
    with rt.db.unit_of_work() as session:
        hire = decisions.hire_facts(session, application_id)
        sequence = customization.current_sequence(session, hire.company_id) or default_sequence()
        enrollment = enrollments.enroll(session, rt.clock, hire, sequence)
    if enrollment is not None:
        log.info("hire enrolled", extra={"enrollment_id": enrollment.id})
        deliveries.send_pending(NoticeKind.CATCH_UP_DIGEST, [enrollment.id])


def deliver_step(step_id: int) -> None:
    """Deliver once: the claim makes the step visible and requests its email in one
    transaction; the email then goes out through the one delivery mechanism."""
    _claim_and_send(lambda session, clock: enrollments.claim_delivery(session, clock, step_id))
    # A meeting's invite to the manager is requested in the claim's transaction; it goes out
    # here (also when a retry finds the step already claimed), or by the reconciler.
    deliveries.send_pending(NoticeKind.MEETING_INVITE, [step_id])


def remind_step(step_id: int) -> None:
    _claim_and_send(
        lambda session, clock: enrollments.claim_follow_up(
            session, clock, step_id, NoticeKind.STEP_REMINDER
        )
    )


def escalate_step(step_id: int) -> None:
    _claim_and_send(
        lambda session, clock: enrollments.claim_follow_up(
            session, clock, step_id, NoticeKind.STEP_ESCALATION
        )
    )


def _claim_and_send(claim: Callable[[Session, Clock], int | None]) -> None:
    rt = runtime.current()
    with rt.db.unit_of_work() as session:
        delivery_id = claim(session, rt.clock)
    if delivery_id is not None:
        deliveries.send(delivery_id)
