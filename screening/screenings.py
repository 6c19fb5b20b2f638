"""Screening submitted applications: score each one, build its interview packet and ask for
the panel's emails, a batch of applications in one transaction.

Scoring and packet building always run back to back on the same rows, so they are one step:
the answers are read once, and a batch of 25 applications costs a handful of multi-row
statements instead of about fifteen statements each (claim, answers, score, packet, panel,
deliveries, audit and outbox rows). ``application.scored`` and ``packet.ready`` are still
recorded in the outbox for the audit trail and for admins' webhooks.

Idempotent: an application is scored only while ``submitted`` (a conditional ``UPDATE``), and
a packet is built only for a scored application that has none (unique per application), so a
redelivered batch, or the reconciler's re-drive of one, builds nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from core import audit, deliveries, outbox
from core.clock import Clock
from core.definitions import DefinitionError
from core.deliveries import NoticeKind, Wanted
from core.events import APPLICATION_SCORED, PACKET_READY
from screening import bank_customization, hiring, packets
from screening.applications import definition_for, scoring_definition
from screening.models import (
    Application,
    ApplicationScore,
    Opening,
    Packet,
    Response,
)
from screening.question_bank import QuestionBank
from screening.scoring import SCORER_VERSION, score_answers

log = logging.getLogger(__name__)

WORKER = "worker"


@dataclass(frozen=True)
class Screened:
    """Where one scored application of the batch stands now: its packet (new or built
    before; None if it could not be built), and its recommendation when this batch scored it."""

    application_id: int
    packet_id: int | None
    recommendation: str | None = None


@dataclass(frozen=True)
class _Scored:
    """What building a packet needs of a scored application."""

    application_id: int
    version_id: int
    opening_id: int
    company_id: int
    result: dict[str, Any]  # ScoreResult.to_json(), as stored
    answers: dict[str, Any]
    recommendation: str | None = None  # set when scored in this batch


def screen(session: Session, clock: Clock, application_ids: Sequence[int]) -> dict[int, Screened]:
    """Score the submitted applications among ``application_ids`` and build a packet for
    every scored one without a packet yet; returns each scored one, by id. Unknown ids and
    applications not submitted yet are left out."""
    fresh = _score_submitted(session, clock, application_ids)
    earlier, packeted = _scored_before(session, [i for i in application_ids if i not in fresh])
    built = _build_packets(session, clock, [*fresh.values(), *earlier])
    screened = {i: Screened(i, packet_id) for i, packet_id in packeted.items()}
    for scored in [*fresh.values(), *earlier]:
        screened[scored.application_id] = Screened(
            scored.application_id, built.get(scored.application_id), scored.recommendation
        )
    return screened


# --- scoring -------------------------------------------------------------------------------------


def _score_submitted(
    session: Session, clock: Clock, application_ids: Sequence[int]
) -> dict[int, _Scored]:
    now = clock.now()
    of_opening = Opening.id == Application.opening_id
    # The claim returns what scoring needs, for the whole batch in one statement.
    claimed = session.execute(
        update(Application)
        .where(Application.id.in_(application_ids), Application.status == "submitted")
        .values(status="scored", scored_at=now)
        .returning(
            Application.id,
            Application.assessment_version_id,
            Application.opening_id,
            Application.page_seconds,
            select(Opening.company_id).where(of_opening).scalar_subquery(),
            select(Opening.cut_scores).where(of_opening).scalar_subquery(),
            select(Opening.dimension_weights).where(of_opening).scalar_subquery(),
        )
    ).all()
    if not claimed:
        return {}
    answers = _answers_of(session, [row[0] for row in claimed])
    scored: dict[int, _Scored] = {}
    for application_id, version_id, opening_id, seconds, company_id, cuts, weights in claimed:
        definition = scoring_definition(session, version_id, cuts, weights)
        result = score_answers(definition, answers[application_id], seconds)
        scored[application_id] = _Scored(
            application_id,
            version_id,
            opening_id,
            company_id,
            result.to_json(),
            answers[application_id],
            result.recommendation,
        )
    _record_scores(session, clock, scored.values())
    return scored


def _answers_of(session: Session, application_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    answers: dict[int, dict[str, Any]] = {i: {} for i in application_ids}
    for application_id, item_id, value in session.execute(
        select(Response.application_id, Response.item_id, Response.value).where(
            Response.application_id.in_(application_ids)
        )
    ):
        answers[application_id][item_id] = value["v"]
    return answers


def _record_scores(session: Session, clock: Clock, scored: Iterable[_Scored]) -> None:
    rows = list(scored)
    now = clock.now()
    session.execute(
        insert(ApplicationScore),
        [
            {
                "application_id": s.application_id,
                "overall": s.result["overall"],
                "recommendation": s.recommendation,
                "result": s.result,
                "scorer_version": SCORER_VERSION,
                "scored_at": now,
            }
            for s in rows
        ],
    )
    audit.record_many(
        session,
        clock,
        [
            audit.Entry(
                WORKER,
                "application.scored",
                "application",
                s.application_id,
                {
                    "overall": s.result["overall"],
                    "recommendation": s.recommendation,
                    "flags": [flag["code"] for flag in s.result["flags"]],
                    "scorer_version": SCORER_VERSION,
                },
            )
            for s in rows
        ],
    )
    outbox.record_many(
        session, clock, [(APPLICATION_SCORED, {"application_id": s.application_id}) for s in rows]
    )


def _scored_before(
    session: Session, application_ids: Sequence[int]
) -> tuple[list[_Scored], dict[int, int]]:
    """Of applications this batch did not score: those scored earlier without a packet (a lost
    message, a failed build), and the packets of those that have one (a redelivery)."""
    if not application_ids:
        return [], {}
    rows = session.execute(
        select(
            Application.id,
            Application.assessment_version_id,
            Application.opening_id,
            Opening.company_id,
            ApplicationScore.result,
            Packet.id,
        )
        .join(ApplicationScore, ApplicationScore.application_id == Application.id)
        .join(Opening, Opening.id == Application.opening_id)
        .outerjoin(Packet, Packet.application_id == Application.id)
        .where(Application.id.in_(application_ids))
    ).all()
    packeted = {row[0]: row[5] for row in rows if row[5] is not None}
    waiting = [row for row in rows if row[5] is None]
    answers = _answers_of(session, [row[0] for row in waiting]) if waiting else {}
    scored = [
        _Scored(application_id, version_id, opening_id, company_id, result, answers[application_id])
        for application_id, version_id, opening_id, company_id, result, _ in waiting
    ]
    return scored, packeted


# --- packets -------------------------------------------------------------------------------------


def _build_packets(session: Session, clock: Clock, scored: Sequence[_Scored]) -> dict[int, int]:
    """One packet per scored application, its panel's emails asked for; packet ids by
    application id."""
    banks = _banks(session, {s.company_id for s in scored})
    contents: dict[int, packets.Packet] = {}
    for s in scored:
        try:
            contents[s.application_id] = packets.build_packet(
                definition_for(session, s.version_id), banks[s.company_id], s.result, s.answers
            )
        except DefinitionError:
            # The company's bank has no questions for one of this assessment's dimensions
            # (publishing a bank checks this, so an older assessment version got here). The
            # score still counts; the packet waits for a bank that covers it, and the
            # reconciler asks again.
            log.warning(
                "packet not built: bank lacks a dimension",
                extra={"application_id": s.application_id},
            )
    scored = [s for s in scored if s.application_id in contents]
    if not scored:
        return {}
    now = clock.now()
    packet_ids: dict[int, int] = dict(
        session.execute(
            insert(Packet).returning(Packet.application_id, Packet.id),
            [
                {
                    "application_id": s.application_id,
                    "content": contents[s.application_id].to_json(),
                    "bank_checksum": banks[s.company_id].checksum,
                    "built_at": now,
                }
                for s in scored
            ],
        ).all()
    )
    panels = hiring.panels_of(session, {s.opening_id for s in scored})
    deliveries.request_new(
        session,
        clock,
        NoticeKind.PACKET_READY,
        [
            Wanted(packet_ids[s.application_id], member_id, s.company_id)
            for s in scored
            for member_id in panels[s.opening_id]
        ],
    )
    audit.record_many(
        session,
        clock,
        [
            audit.Entry(
                WORKER,
                "packet.built",
                "application",
                s.application_id,
                {
                    "packet_id": packet_ids[s.application_id],
                    "questions": len(contents[s.application_id].questions),
                },
            )
            for s in scored
        ],
    )
    outbox.record_many(
        session,
        clock,
        [
            (
                PACKET_READY,
                {"packet_id": packet_ids[s.application_id], "application_id": s.application_id},
            )
            for s in scored
        ],
    )
    return packet_ids


def _banks(session: Session, company_ids: set[int]) -> Mapping[int, QuestionBank]:
    return {
        company_id: bank_customization.bank_in_use(session, company_id)
        for company_id in company_ids
    }
