"""Anonymizing a candidate: their personal data goes, their anonymous scores stay.

One function serves every way a candidate's data leaves: their own erasure link and the
retention purge (:mod:`screening.retention`). It removes the name, the email and every word
the candidate wrote (answers, drafts, rubric snippets, packet quotes) and scrubs what staff
wrote about them (decision reasons, scorecard notes) of their name and words. Scores, choices
and the audit trail stay, so the hiring record and the fairness statistics remain whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import String, select
from sqlalchemy.orm import Session

from core import audit
from core.clock import Clock
from core.errors import Conflict
from screening import packets
from screening.models import (
    Application,
    ApplicationScore,
    Candidate,
    Decision,
    Packet,
    Response,
    Scorecard,
)
from screening.redaction import Redactor

ERASED = "[erased at the candidate's request]"
EXPIRED = "[erased after the retention period]"
REASON_LENGTH = cast(String, Decision.__table__.c.reason.type).length


class ErasureReason(StrEnum):
    REQUEST = "request"  # the candidate's own erasure link
    RETENTION = "retention"  # the retention period is over
    ABANDONED = "abandoned"  # started, never submitted, and left


class HiredCandidate(Conflict):
    """Hires are employees now: their data is HR's to manage, not ours to erase."""


@dataclass(frozen=True)
class Erasure:
    """What one anonymization did (counts only)."""

    applications: int
    texts_scrubbed: int  # decision reasons and scorecards that lost a name or quotation
    needs_review: int  # reasons and scorecards marked for a person to read again


def anonymize_candidate(
    session: Session, clock: Clock, candidate: Candidate, reason: ErasureReason
) -> Erasure | None:
    """Anonymize a candidate and all their applications; None if already done (idempotent).

    Staff text is scrubbed first, while the name and the answers are still there to look for.
    """
    applications = list(
        session.scalars(
            select(Application).filter_by(candidate_id=candidate.id).order_by(Application.id)
        )
    )
    if any(application.decision == "offer_accepted" for application in applications):
        raise HiredCandidate(
            "You have accepted an offer, so your details now sit with HR. Please ask them."
        )
    if candidate.erased_at is not None:
        return None
    ids = [application.id for application in applications]
    responses = list(session.scalars(select(Response).where(Response.application_id.in_(ids))))
    written = [r.value["v"] for r in responses if isinstance(r.value.get("v"), str)]
    written += [v for a in applications for v in a.draft.values() if isinstance(v, str)]
    redactor = Redactor.for_candidate(candidate.name, candidate.email, written)
    scrubbed, review = _scrub_staff_text(session, ids, redactor)

    mark = ERASED if reason is ErasureReason.REQUEST else EXPIRED
    candidate.name, candidate.email = "Erased candidate", f"erased-{candidate.id}@invalid.example"
    candidate.erased_at = clock.now()
    for application in applications:
        application.draft = {}
    for response in responses:
        if isinstance(response.value.get("v"), str):
            response.value = {"v": mark}
    for score in session.scalars(
        select(ApplicationScore).where(ApplicationScore.application_id.in_(ids))
    ):
        score.result = _without_snippets(score.result, mark)
    for packet in session.scalars(select(Packet).where(Packet.application_id.in_(ids))):
        packet.content = packets.without_candidate_words(packet.content)
    for application_id in ids:
        audit.record(
            session,
            clock,
            actor="candidate" if reason is ErasureReason.REQUEST else "retention",
            action="candidate.erased",
            subject_type="application",
            subject_id=application_id,
            reason=reason.value,
        )
    return Erasure(len(ids), scrubbed, review)


def _scrub_staff_text(session: Session, ids: list[int], redactor: Redactor) -> tuple[int, int]:
    """Scrub decision reasons and scorecard notes; returns (texts changed, marked for review)."""
    scrubbed = review = 0
    for decision in session.scalars(select(Decision).where(Decision.application_id.in_(ids))):
        if not decision.reason:
            continue
        result = redactor.scrub(decision.reason)
        if result.changed:
            decision.reason = _fit(result.text, REASON_LENGTH)
            scrubbed += 1
        if result.uncertain:
            decision.needs_privacy_review = True
            review += 1
    for card in session.scalars(select(Scorecard).where(Scorecard.application_id.in_(ids))):
        ratings: dict[str, Any] = {}
        changed = uncertain = False
        for question_id, rating in card.ratings.items():
            result = redactor.scrub(rating.get("notes") or "")
            ratings[question_id] = {**rating, "notes": result.text} if result.changed else rating
            changed, uncertain = changed or result.changed, uncertain or result.uncertain
        if changed:
            card.ratings = ratings
            scrubbed += 1
        if uncertain:
            card.needs_privacy_review = True
            review += 1
    return scrubbed, review


def _fit(text: str, length: int | None) -> str:
    """``[removed]`` can be longer than the name it replaces; stay within the column."""
    if length is None or len(text) <= length:
        return text
    return text[: length - 1] + "…"


def _without_snippets(result: dict[str, Any], mark: str) -> dict[str, Any]:
    dimensions = [
        {**d, "text_matches": [{**m, "snippet": mark} for m in d.get("text_matches", [])]}
        for d in result["dimensions"]
    ]
    return {**result, "dimensions": dimensions}
