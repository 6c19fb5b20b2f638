"""Access requests: everything we hold about one candidate's application, as JSON.

An admin answers a candidate's request to see their data by exporting it. The export holds
this application's rows only (never another candidate's) and names staff by id, as the audit
trail does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.accounts import User
from core.audit import AuditEntry
from core.clock import Clock
from core.errors import NotFound
from screening import access
from screening.applications import definition_for
from screening.models import (
    Application,
    ApplicationScore,
    Decision,
    Packet,
    Response,
    Scorecard,
)

EXPORT_FORMAT = "onramp.candidate-export/1"


def export_for(session: Session, clock: Clock, user: User, application_id: int) -> dict[str, Any]:
    """An admin's export of one application, audited; NotFound for anyone else (no leak)."""
    if not user.is_admin:
        raise NotFound("No such candidate.")
    application = access.application_for(session, user, application_id)
    data = export_candidate(session, application.id)
    audit.record(
        session,
        clock,
        actor=f"user:{user.id}",
        action="candidate.exported",
        subject_type="application",
        subject_id=application.id,
    )
    return data


def export_candidate(session: Session, application_id: int) -> dict[str, Any]:
    """The candidate, the application, answers, scores with evidence, the packet, scorecards,
    decisions and the application's audit trail, ready for ``json.dumps``."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("No such candidate.")
    candidate, opening = application.candidate, application.opening
    definition = definition_for(session, application.assessment_version_id)
    score = session.scalar(select(ApplicationScore).filter_by(application_id=application_id))
    packet = session.scalar(select(Packet).filter_by(application_id=application_id))
    return {
        "format": EXPORT_FORMAT,
        "candidate": {
            "id": candidate.id,
            "name": candidate.name,
            "email": candidate.email,
            "created_at": _iso(candidate.created_at),
            "erased_at": _iso(candidate.erased_at),
        },
        "application": {
            "id": application.id,
            "company": opening.company.name,
            "opening": {"id": opening.id, "title": opening.title},
            "status": application.status,
            "started_at": _iso(application.started_at),
            "submitted_at": _iso(application.submitted_at),
            "scored_at": _iso(application.scored_at),
            "decision": application.decision,
            "draft": application.draft,
            "page_seconds": application.page_seconds,
        },
        "answers": [
            {
                "item_id": response.item_id,
                "question": _question(definition.items.get(response.item_id)),
                "answer": response.value["v"],
            }
            for response in session.scalars(
                select(Response).filter_by(application_id=application_id).order_by(Response.id)
            )
        ],
        "scores": None
        if score is None
        else {
            "overall": score.overall,
            "recommendation": score.recommendation,
            "scorer_version": score.scorer_version,
            "scored_at": _iso(score.scored_at),
            "result": score.result,
        },
        "packet": None
        if packet is None
        else {"built_at": _iso(packet.built_at), "content": packet.content},
        "scorecards": [
            {
                "interviewer_id": card.interviewer_id,
                "submitted_at": _iso(card.submitted_at),
                "ratings": card.ratings,
                "dimension_means": card.dimension_means,
                "overall": card.overall,
                "needs_privacy_review": card.needs_privacy_review,
            }
            for card in session.scalars(
                select(Scorecard).filter_by(application_id=application_id).order_by(Scorecard.id)
            )
        ],
        "decisions": [
            {
                "decision": decision.decision,
                "reason": decision.reason,
                "decided_by": decision.decided_by,
                "source": decision.source,
                "recommendation": decision.recommendation,
                "against_recommendation": decision.against_recommendation,
                "start_date": decision.start_date,
                "decided_at": _iso(decision.decided_at),
                "needs_privacy_review": decision.needs_privacy_review,
            }
            for decision in session.scalars(
                select(Decision).filter_by(application_id=application_id).order_by(Decision.id)
            )
        ],
        "audit": [
            {"at": _iso(entry.at), "actor": entry.actor, "action": entry.action, "data": entry.data}
            for entry in session.scalars(
                select(AuditEntry)
                .filter_by(subject_type="application", subject_id=application_id)
                .order_by(AuditEntry.id)
            )
        ],
    }


def _question(item: Any) -> str | None:
    if item is None:
        return None
    return str(item.text if item.type in ("likert", "check") else item.prompt)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
