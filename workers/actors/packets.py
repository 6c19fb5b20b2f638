"""Packet actors: build the interview packet, then email each panel member once."""

from __future__ import annotations

import logging
import smtplib
from functools import cache

from screening import hiring
from screening.question_bank import DEFAULT_QUESTION_BANK, QuestionBank, load_question_bank
from workers import mailer, runtime

log = logging.getLogger(__name__)

QUEUE = "packets"


@cache
def default_bank() -> QuestionBank:
    return load_question_bank(DEFAULT_QUESTION_BANK)


def build_packet(application_id: int) -> None:
    """Idempotent: one packet per application, however often the event arrives."""
    rt = runtime.current()
    with rt.db.unit_of_work() as session:
        packet = hiring.build_packet_for(session, rt.clock, application_id, default_bank())
    if packet is not None:
        log.info("packet built", extra={"application_id": application_id})


def deliver_packet(packet_id: int, application_id: int | None = None) -> None:
    """Email every panel member who has not had this packet yet.

    Each delivery is claimed, sent, then stamped in its own transaction. If SMTP fails the
    claim is released and the error re-raised so Dramatiq retries with backoff; deliveries
    already stamped are skipped on the retry.
    """
    rt = runtime.current()
    with rt.db.unit_of_work() as session:
        delivery_ids = hiring.pending_deliveries(session, packet_id)
    for delivery_id in delivery_ids:
        with rt.db.unit_of_work() as session:
            job = hiring.claim_delivery(session, rt.clock, delivery_id)
        if job is None:
            continue
        try:
            mailer.send(rt.settings, packet_email(rt.settings.base_url, job))
        except (OSError, smtplib.SMTPException) as exc:
            with rt.db.unit_of_work() as session:
                hiring.release_delivery(session, delivery_id, f"{type(exc).__name__}: {exc}")
            raise
        with rt.db.unit_of_work() as session:
            hiring.mark_delivered(session, rt.clock, delivery_id)


def packet_email(base_url: str, job: hiring.DeliveryJob) -> mailer.Email:
    link = f"{base_url}/manager/applications/{job.application_id}"
    return mailer.Email(
        to=job.recipient_email,
        subject=f"Interview packet ready: {job.opening_title}",
        text=(
            f"Hello {job.recipient_name},\n\n"
            f"A candidate for {job.opening_title} has completed the service-mindset pre-screen. "
            "Their tailored interview packet is ready: questions, follow-up probes and a 1-5 "
            "rating scale for each answer.\n\n"
            f"Open the packet: {link}\n\n"
            "The score is a recommendation. Rate each answer right after it is given, on your "
            "own; you will see the other interviewers' ratings once yours is in.\n"
        ),
        message_id=f"<packet-{job.packet_id}-delivery-{job.delivery_id}@onramp>",
    )
