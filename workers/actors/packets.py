"""Packet actors: build interview packets, then email each panel member once."""

from __future__ import annotations

import logging
from functools import cache

from sqlalchemy.orm import Session

from core.clock import Clock
from core.deliveries import NoticeKind
from screening import bank_customization, hiring
from screening.models import Packet
from screening.question_bank import DEFAULT_QUESTION_BANK, QuestionBank, load_question_bank
from workers import batches
from workers.actors import deliveries

log = logging.getLogger(__name__)

QUEUE = "packets"


@cache
def default_bank() -> QuestionBank:
    return load_question_bank(DEFAULT_QUESTION_BANK)


def build_packets(application_ids: list[int]) -> None:
    """Idempotent: one packet per application, however often the event arrives."""

    def build(session: Session, clock: Clock, application_id: int) -> Packet | None:
        bank = bank_customization.bank_for_application(session, application_id) or default_bank()
        return hiring.build_packet_for(session, clock, application_id, bank)

    built = batches.in_one_transaction(application_ids, build)
    for application_id, packet in built.items():
        if packet is not None:
            log.info("packet built", extra={"application_id": application_id})


def deliver_packets(packet_ids: list[int]) -> None:
    """Email every panel member who has not had these packets yet (one delivery each)."""
    deliveries.send_pending(NoticeKind.PACKET_READY, packet_ids)
