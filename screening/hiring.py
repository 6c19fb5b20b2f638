"""The hiring team's use cases: panels, packets, deliveries, scorecards, decisions, hires.

Authorization lives here, not in the views: every lookup for a user goes through
:func:`application_for`, which answers "not found" for openings the user is not on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean
from typing import Any, Literal

from sqlalchemy import case, exists, or_, select, update
from sqlalchemy.orm import Session

from core import audit, outbox
from core.accounts import User
from core.clock import Clock
from core.db import rows_changed
from core.errors import Conflict, DomainError, NotFound
from core.events import HIRE_ACCEPTED, PACKET_READY
from screening import packets
from screening.applications import definition_for
from screening.models import (
    Application,
    ApplicationScore,
    Decision,
    Opening,
    OpeningManager,
    Packet,
    PacketDelivery,
    Response,
    Scorecard,
)
from screening.question_bank import QuestionBank

DecisionKind = Literal["advance", "reject", "offer", "offer_accepted"]
DECISIONS: tuple[DecisionKind, ...] = ("advance", "reject", "offer", "offer_accepted")
# A delivery claimed longer ago than this is presumed abandoned by a dead worker.
DELIVERY_CLAIM_TIMEOUT = timedelta(minutes=5)
RECOMMENDATION_ORDER = {"advance": 0, "review": 1, "hold": 2}


def _rank() -> Any:
    return case(RECOMMENDATION_ORDER, value=ApplicationScore.recommendation, else_=3)


# --- panels and authorization ---------------------------------------------------------------


def add_to_panel(session: Session, opening: Opening, user: User) -> None:
    if session.get(OpeningManager, (opening.id, user.id)) is None:
        session.add(OpeningManager(opening_id=opening.id, user_id=user.id))
        session.flush()


def panel_of(session: Session, opening_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(OpeningManager, OpeningManager.user_id == User.id)
            .where(OpeningManager.opening_id == opening_id, User.is_active)
            .order_by(User.id)
        )
    )


def _visible_openings(user: User) -> Any:
    if user.is_admin:
        return select(Opening.id)
    return select(OpeningManager.opening_id).where(OpeningManager.user_id == user.id)


def openings_for(session: Session, user: User) -> list[Opening]:
    return list(
        session.scalars(
            select(Opening).where(Opening.id.in_(_visible_openings(user))).order_by(Opening.title)
        )
    )


def opening_for(session: Session, user: User, opening_id: int) -> Opening:
    opening = session.scalar(
        select(Opening).where(Opening.id == opening_id, Opening.id.in_(_visible_openings(user)))
    )
    if opening is None:
        raise NotFound("No such opening.")
    return opening


def application_for(session: Session, user: User, application_id: int) -> Application:
    """The application if the user may see it; NotFound otherwise (no existence leak)."""
    application = session.scalar(
        select(Application).where(
            Application.id == application_id,
            Application.opening_id.in_(_visible_openings(user)),
            Application.status != "started",
        )
    )
    if application is None:
        raise NotFound("No such candidate.")
    return application


@dataclass(frozen=True)
class CandidateRow:
    application: Application
    score: ApplicationScore | None
    has_packet: bool


def candidates_for(session: Session, user: User, opening_id: int) -> list[CandidateRow]:
    """Submitted candidates, best recommendation first, then score (bands, not a verdict)."""
    opening = opening_for(session, user, opening_id)
    rows = session.execute(
        select(
            Application, ApplicationScore, exists().where(Packet.application_id == Application.id)
        )
        .outerjoin(ApplicationScore, ApplicationScore.application_id == Application.id)
        .where(Application.opening_id == opening.id, Application.status != "started")
        .order_by(_rank(), ApplicationScore.overall.desc(), Application.submitted_at)
    ).all()
    return [CandidateRow(app, score, bool(has_packet)) for app, score, has_packet in rows]


# --- packets and deliveries ------------------------------------------------------------------


def build_packet_for(
    session: Session, clock: Clock, application_id: int, bank: QuestionBank
) -> Packet | None:
    """Build the packet once; None when it exists already or the application is not scored."""
    if session.scalar(select(Packet.id).filter_by(application_id=application_id)) is not None:
        return None
    score = session.scalar(select(ApplicationScore).filter_by(application_id=application_id))
    if score is None:
        return None
    application = session.get_one(Application, application_id)
    definition = definition_for(session, application.assessment_version_id)
    answers: dict[str, Any] = dict(
        session.execute(
            select(Response.item_id, Response.value).filter_by(application_id=application_id)
        ).all()
    )
    content = packets.build_packet(
        definition, bank, score.result, {k: v["v"] for k, v in answers.items()}
    )
    packet = Packet(
        application_id=application_id,
        content=content.to_json(),
        bank_checksum=bank.checksum,
        built_at=clock.now(),
    )
    session.add(packet)
    session.flush()
    for member in panel_of(session, application.opening_id):
        session.add(PacketDelivery(packet_id=packet.id, user_id=member.id))
    audit.record(
        session,
        clock,
        actor="worker",
        action="packet.built",
        subject_type="application",
        subject_id=application_id,
        packet_id=packet.id,
        questions=len(content.questions),
    )
    outbox.record(session, clock, PACKET_READY, packet_id=packet.id, application_id=application_id)
    return packet


@dataclass(frozen=True)
class DeliveryJob:
    delivery_id: int
    packet_id: int
    application_id: int
    opening_title: str
    recipient_email: str
    recipient_name: str


def pending_deliveries(session: Session, packet_id: int) -> list[int]:
    return list(
        session.scalars(
            select(PacketDelivery.id).where(
                PacketDelivery.packet_id == packet_id, PacketDelivery.sent_at.is_(None)
            )
        )
    )


def claim_delivery(session: Session, clock: Clock, delivery_id: int) -> DeliveryJob | None:
    """Claim an unsent delivery for this worker; None if sent or claimed by a live worker."""
    now = clock.now()
    claimed = rows_changed(
        session,
        update(PacketDelivery)
        .where(
            PacketDelivery.id == delivery_id,
            PacketDelivery.sent_at.is_(None),
            or_(
                PacketDelivery.claimed_at.is_(None),
                PacketDelivery.claimed_at < now - DELIVERY_CLAIM_TIMEOUT,
            ),
        )
        .values(claimed_at=now, attempts=PacketDelivery.attempts + 1),
    )
    if not claimed:
        return None
    delivery = session.get_one(PacketDelivery, delivery_id)
    packet = session.get_one(Packet, delivery.packet_id)
    application = session.get_one(Application, packet.application_id)
    user = session.get_one(User, delivery.user_id)
    return DeliveryJob(
        delivery.id, packet.id, application.id, application.opening.title, user.email, user.name
    )


def mark_delivered(session: Session, clock: Clock, delivery_id: int) -> None:
    delivery = session.get_one(PacketDelivery, delivery_id)
    delivery.sent_at = clock.now()
    delivery.last_error = None
    packet = session.get_one(Packet, delivery.packet_id)
    audit.record(
        session,
        clock,
        actor="worker",
        action="packet.delivered",
        subject_type="application",
        subject_id=packet.application_id,
        user_id=delivery.user_id,
    )


def release_delivery(session: Session, delivery_id: int, error: str) -> None:
    """Give a failed delivery back so the retry can claim it at once."""
    session.execute(
        update(PacketDelivery)
        .where(PacketDelivery.id == delivery_id, PacketDelivery.sent_at.is_(None))
        .values(claimed_at=None, last_error=error[:300])
    )


# --- scorecards -------------------------------------------------------------------------------


def packet_of(session: Session, application: Application) -> packets.Packet | None:
    row = session.scalar(select(Packet).filter_by(application_id=application.id))
    return packets.Packet.from_json(row.content) if row else None


def scorecard_of(session: Session, application: Application, user: User) -> Scorecard | None:
    return session.scalar(
        select(Scorecard).filter_by(application_id=application.id, interviewer_id=user.id)
    )


def submit_scorecard(
    session: Session,
    clock: Clock,
    user: User,
    application: Application,
    ratings: Mapping[str, tuple[int, str]],
) -> Scorecard:
    """Record one interviewer's ratings; each interviewer submits once, independently."""
    packet = packet_of(session, application)
    if packet is None:
        raise DomainError("The interview packet is not ready yet.")
    if scorecard_of(session, application, user) is not None:
        raise Conflict("You have already submitted your scorecard for this candidate.")
    expected = {question.id for question in packet.questions}
    if set(ratings) != expected:
        raise DomainError("Rate every question in the packet, from 1 to 5.")
    if any(not 1 <= rating <= 5 for rating, _ in ratings.values()):
        raise DomainError("Ratings run from 1 to 5.")
    by_dimension: dict[str, list[int]] = {}
    for question in packet.questions:
        by_dimension.setdefault(question.dimension, []).append(ratings[question.id][0])
    means = {key: round(fmean(values), 2) for key, values in by_dimension.items()}
    scorecard = Scorecard(
        application_id=application.id,
        interviewer_id=user.id,
        ratings={qid: {"rating": r, "notes": n} for qid, (r, n) in ratings.items()},
        dimension_means=means,
        overall=round(fmean(r for r, _ in ratings.values()), 2),
        submitted_at=clock.now(),
    )
    session.add(scorecard)
    session.flush()
    audit.record(
        session,
        clock,
        actor=f"user:{user.id}",
        action="scorecard.submitted",
        subject_type="application",
        subject_id=application.id,
        overall=scorecard.overall,
    )
    return scorecard


@dataclass(frozen=True)
class PanelView:
    """What one interviewer may see: their own card, and others' only after submitting theirs."""

    own: Scorecard | None
    others: tuple[tuple[User, Scorecard], ...]
    hidden_count: int
    dimension_means: dict[str, float]
    overall: float | None


def panel_view(session: Session, application: Application, user: User) -> PanelView:
    rows = session.execute(
        select(User, Scorecard)
        .join(Scorecard, Scorecard.interviewer_id == User.id)
        .where(Scorecard.application_id == application.id)
        .order_by(Scorecard.submitted_at)
    ).all()
    own = next((card for member, card in rows if member.id == user.id), None)
    others = tuple((member, card) for member, card in rows if member.id != user.id)
    if own is None:
        return PanelView(None, (), len(others), {}, None)
    cards = [card for _, card in rows]
    return PanelView(
        own, others, 0, combine_dimension_means(cards), round(fmean(c.overall for c in cards), 2)
    )


def combine_dimension_means(cards: Sequence[Scorecard]) -> dict[str, float]:
    """Mechanical combination: the mean of interviewers' per-dimension means."""
    keys = sorted({key for card in cards for key in card.dimension_means})
    return {
        key: round(fmean(c.dimension_means[key] for c in cards if key in c.dimension_means), 2)
        for key in keys
    }


# --- decisions and hires ----------------------------------------------------------------------


def goes_against(recommendation: str | None, decision: str) -> bool:
    if recommendation == "advance":
        return decision == "reject"
    if recommendation == "hold":
        return decision in {"advance", "offer", "offer_accepted"}
    return False


def decide(
    session: Session,
    clock: Clock,
    application: Application,
    decision: str,
    *,
    reason: str = "",
    user: User | None = None,
    source: str = "dashboard",
    start_date: date | None = None,
) -> Decision | None:
    """Record a person's decision; None when it repeats the current one (idempotent)."""
    if decision not in DECISIONS:
        raise DomainError(f"Unknown decision {decision!r}.")
    if application.status == "started":
        raise DomainError("The candidate has not submitted the assessment.")
    if application.decision == decision:
        return None
    if application.decision == "offer_accepted":
        raise Conflict("This offer was already accepted; the decision is final.")
    score = session.scalar(select(ApplicationScore).filter_by(application_id=application.id))
    recommendation = score.recommendation if score else None
    against = goes_against(recommendation, decision)
    reason = reason.strip()
    if against and not reason:
        raise DomainError(
            f"This decision goes against the recommendation ({recommendation}); "
            "please give a reason."
        )
    if decision == "offer_accepted" and start_date is None:
        raise DomainError("An accepted offer needs a start date.")
    row = Decision(
        application_id=application.id,
        decided_by=user.id if user else None,
        source=source,
        decision=decision,
        reason=reason,
        recommendation=recommendation,
        against_recommendation=against,
        start_date=start_date.isoformat() if start_date else None,
        decided_at=clock.now(),
    )
    session.add(row)
    previous = application.decision
    application.decision = decision
    session.flush()
    audit.record(
        session,
        clock,
        actor=f"user:{user.id}" if user else source,
        action="decision.recorded",
        subject_type="application",
        subject_id=application.id,
        decision=decision,
        previous=previous,
        recommendation=recommendation,
        override=against,
    )
    if decision == "offer_accepted" and start_date is not None:
        _emit_hire(session, clock, application, start_date, user)
    return row


def _emit_hire(
    session: Session, clock: Clock, application: Application, start_date: date, user: User | None
) -> None:
    """hire.accepted carries what onboarding needs, since it cannot read screening's tables."""
    panel = panel_of(session, application.opening_id)
    manager = user if user is not None and not user.is_admin else (panel[0] if panel else user)
    opening = application.opening
    outbox.record(
        session,
        clock,
        HIRE_ACCEPTED,
        application_id=application.id,
        company_id=opening.company_id,
        role=opening.title,
        start_date=start_date.isoformat(),
        manager_user_id=manager.id if manager else None,
        new_hire_name=application.candidate.name,
        new_hire_email=application.candidate.email,
        timezone=opening.company.timezone,
    )


START_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_start_date(value: str) -> date:
    if not START_DATE.match(value or ""):
        raise DomainError("Give the start date as YYYY-MM-DD.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError("That start date does not exist.") from None
