"""The hiring team's use cases: panels, packets and their notices, scorecards.

Who may see what is :mod:`screening.access`'s question; every lookup for a user goes through
it, so another team's or another company's ids answer "not found". The candidate list lives in
:mod:`screening.candidate_list`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import fmean
from typing import Any, TypeVar

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.orm import Session

from core import audit
from core.accounts import User
from core.clock import Clock
from core.errors import Conflict, DomainError
from screening import packets
from screening.access import is_on_panel
from screening.models import (
    Application,
    Opening,
    OpeningManager,
    Packet,
    Scorecard,
)

Query = TypeVar("Query", bound=Select)  # a select of any columns

# --- panels ---------------------------------------------------------------


def add_to_panel(session: Session, opening: Opening, user: User) -> None:
    if session.get(OpeningManager, (opening.id, user.id)) is None:
        session.add(OpeningManager(opening_id=opening.id, user_id=user.id))
        session.flush()


def panel_of(session: Session, opening_id: int) -> list[User]:
    return list(session.scalars(_on_panels(select(User), [opening_id])))


def panels_of(session: Session, opening_ids: Iterable[int]) -> dict[int, list[int]]:
    """The member ids of each opening's panel, for many openings in one query."""
    panels: dict[int, list[int]] = defaultdict(list)
    query = _on_panels(select(OpeningManager.opening_id, User.id), opening_ids)
    for opening_id, user_id in session.execute(query):
        panels[opening_id].append(user_id)
    return panels


def _on_panels(query: Query, opening_ids: Iterable[int]) -> Query:
    """Who sits on these openings' panels: their active members, in a stable order."""
    return (
        query.join_from(User, OpeningManager, OpeningManager.user_id == User.id)
        .where(OpeningManager.opening_id.in_(list(opening_ids)), User.is_active)
        .order_by(User.id)
    )


# --- scorecards -------------------------------------------------------------------------------


class NotOnPanel(DomainError):
    """Someone who may see the candidate but does not sit on the panel tried to rate them."""

    status_code = 403


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
    """Record one interviewer's ratings; each interviewer submits once, independently, and
    only panel members rate (an admin's or a recruiter's rating would skew the panel mean)."""
    if not is_on_panel(session, user, application.opening_id):
        raise NotOnPanel("Only the opening's interview panel rates its candidates.")
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


def _without_packet() -> Any:
    return and_(
        Application.status == "scored", ~exists().where(Packet.application_id == Application.id)
    )


def packets_missing(session: Session, scored_before: datetime, limit: int) -> list[int]:
    """Applications scored before ``scored_before`` that still have no packet: their
    build_packet message was lost (the reconciler's question)."""
    return list(
        session.scalars(
            select(Application.id)
            .where(_without_packet(), Application.scored_at < scored_before)
            .order_by(Application.id)
            .limit(limit)
        )
    )


def count_packets_missing(session: Session) -> int:
    """Scored applications without a packet yet (busy or stuck), for operators."""
    return (
        session.scalar(select(func.count()).select_from(Application).where(_without_packet())) or 0
    )
