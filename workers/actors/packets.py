"""Packet actors: build the interview packet, then email each panel member once."""

from __future__ import annotations

import logging
from functools import cache

from core.deliveries import NoticeKind
from screening import bank_customization, hiring
from screening.question_bank import DEFAULT_QUESTION_BANK, QuestionBank, load_question_bank
from workers import runtime
from workers.actors import deliveries

log = logging.getLogger(__name__)

QUEUE = "packets"


@cache
def default_bank() -> QuestionBank:
    return load_question_bank(DEFAULT_QUESTION_BANK)


def build_packet(application_id: int) -> None:
    """Idempotent: one packet per application, however often the event arrives."""
    rt = runtime.current()
    with rt.db.unit_of_work() as session:
        bank = bank_customization.bank_for_application(session, application_id) or default_bank()
        packet = hiring.build_packet_for(session, rt.clock, application_id, bank)
    if packet is not None:
        log.info("packet built", extra={"application_id": application_id})


def deliver_packet(packet_id: int, application_id: int | None = None) -> None:
    """Email every panel member who has not had this packet yet (one delivery each)."""
    deliveries.send_pending(NoticeKind.PACKET_READY, packet_id)
