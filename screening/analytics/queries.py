"""The only database reads of the analytics: screening's tables → the plain inputs of the maths.

Every function takes a :class:`Scope` (company, opening, a range of start times) and returns
the dataclasses that :mod:`.funnel`, :mod:`.items`, :mod:`.fairness` and :mod:`.validity`
take. Onboarding's facts (who completed onboarding, pulse answers) are passed in by the
caller, since screening never imports onboarding.

This module is the one place outside :mod:`screening.self_identification` that reads
self-identification, and only to attach categories to anonymous outcome rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVarTuple

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from core.deliveries import Delivery, DeliveryStatus, NoticeKind
from screening.analytics.fairness import Categories, ScoreRecord, SelectionRecord
from screening.analytics.funnel import PageProgress, Stage, Timeline, stage_times
from screening.applications import definition_for, unfinished_pages
from screening.definition import LikertItem
from screening.models import (
    Application,
    ApplicationScore,
    Decision,
    Opening,
    Packet,
    Response,
    Scorecard,
)
from screening.self_identification import PREFER_NOT_TO_SAY, Grouping, SelfIdentification

_Columns = TypeVarTuple("_Columns")
AnySelect = Select[*tuple[Any, ...]]

SELECTED_DECISIONS = ("advance", "offer", "offer_accepted")
OFFER_DECISIONS = ("offer", "offer_accepted")


@dataclass(frozen=True)
class Scope:
    """Which applications: of a company and/or an opening, started in [since, until)."""

    company_id: int | None = None
    opening_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    def apply(self, statement: Select[*_Columns]) -> Select[*_Columns]:
        if self.company_id is not None:
            statement = statement.where(
                Application.opening_id.in_(
                    select(Opening.id).where(Opening.company_id == self.company_id)
                )
            )
        if self.opening_id is not None:
            statement = statement.where(Application.opening_id == self.opening_id)
        if self.since is not None:
            statement = statement.where(Application.started_at >= self.since)
        if self.until is not None:
            statement = statement.where(Application.started_at < self.until)
        return statement


class SelectionBasis(StrEnum):
    """What "selected" means in a selection-rate table."""

    RECOMMENDATION = "recommendation"  # the scorer recommended advance (all scored applications)
    DECISION = "decision"  # a person advanced or offered (applications with a decision)


# --- funnel ------------------------------------------------------------------


def funnel_timelines(
    session: Session,
    scope: Scope,
    onboarding_completed: Mapping[int, datetime] | None = None,
) -> list[Timeline]:
    """Every application's first time at each stage; ``onboarding_completed`` maps an
    application id to when its hire finished onboarding (from onboarding)."""
    completed = onboarding_completed or {}
    packet_sent = (
        select(Packet.application_id, func.min(Delivery.sent_at).label("at"))
        .join(
            Delivery,
            and_(Delivery.kind == NoticeKind.PACKET_READY, Delivery.subject_id == Packet.id),
        )
        .where(Delivery.status == DeliveryStatus.SENT)
        .group_by(Packet.application_id)
        .subquery()
    )
    interviewed = _first(Scorecard.application_id, Scorecard.submitted_at)
    offered = _first_decision(OFFER_DECISIONS)
    accepted = _first_decision(("offer_accepted",))
    statement = scope.apply(
        select(
            Application.id,
            Application.opening_id,
            Application.started_at,
            Application.submitted_at,
            Application.scored_at,
            packet_sent.c.at,
            interviewed.c.at,
            offered.c.at,
            accepted.c.at,
        )
        .outerjoin(packet_sent, packet_sent.c.application_id == Application.id)
        .outerjoin(interviewed, interviewed.c.application_id == Application.id)
        .outerjoin(offered, offered.c.application_id == Application.id)
        .outerjoin(accepted, accepted.c.application_id == Application.id)
        .order_by(Application.id)
    )
    later = (
        Stage.SUBMITTED,
        Stage.SCORED,
        Stage.PACKET_DELIVERED,
        Stage.INTERVIEWED,
        Stage.OFFER,
        Stage.ACCEPTED,
    )
    timelines = []
    for application_id, opening_id, started, *times in session.execute(statement):
        stamps: dict[Stage, datetime | None] = dict(zip(later, times, strict=True))
        stamps[Stage.ONBOARDING_COMPLETED] = completed.get(application_id)
        timelines.append(Timeline(application_id, opening_id, stage_times(started, stamps)))
    return timelines


def _first(application_id: Any, moment: Any) -> Any:
    return (
        select(application_id.label("application_id"), func.min(moment).label("at"))
        .group_by(application_id)
        .subquery()
    )


def _first_decision(kinds: tuple[str, ...]) -> Any:
    return (
        select(Decision.application_id, func.min(Decision.decided_at).label("at"))
        .where(Decision.decision.in_(kinds))
        .group_by(Decision.application_id)
        .subquery()
    )


def page_progress(
    session: Session, scope: Scope, assessment_version_id: int
) -> tuple[tuple[str, ...], list[PageProgress]]:
    """The version's page keys in order, and how far each of its applications got."""
    definition = definition_for(session, assessment_version_id)
    pages = tuple(page.key for page in definition.pages)
    statement = scope.apply(
        select(
            Application.id,
            Application.status,
            Application.draft,
            Application.page_opened_at,
            Application.started_at,
        )
        .where(Application.assessment_version_id == assessment_version_id)
        .order_by(Application.id)
    )
    progress = []
    for application_id, status, draft, opened, started in session.execute(statement):
        # The candidate's own rule (``unfinished_pages``): a page kept half-done on "Back"
        # holds some answers, or partial ones, and is not finished.
        unfinished = {page.number for page in unfinished_pages(definition, draft)}
        done = {
            page.key
            for number, page in enumerate(definition.pages, start=1)
            if number not in unfinished
        }
        times = [started, *(datetime.fromisoformat(moment) for moment in opened.values())]
        progress.append(
            PageProgress(
                application_id,
                frozenset(done & set(pages)),
                submitted=status != "started",
                last_activity=max(times),
            )
        )
    return pages, progress


# --- items -------------------------------------------------------------------


def likert_answers(
    session: Session, scope: Scope, assessment_version_id: int
) -> list[dict[str, float | None]]:
    """The Likert answers of every submitted application of a version, one dict each."""
    definition = definition_for(session, assessment_version_id)
    likert_ids = [item.id for item in definition.items.values() if isinstance(item, LikertItem)]
    statement = scope.apply(
        select(Response.application_id, Response.item_id, Response.value)
        .join(Application, Application.id == Response.application_id)
        .where(
            Application.assessment_version_id == assessment_version_id,
            Application.status != "started",
            Response.item_id.in_(likert_ids),
        )
        .order_by(Response.application_id)
    )
    rows: dict[int, dict[str, float | None]] = defaultdict(dict)
    for application_id, item_id, value in session.execute(statement):
        answer = value.get("v")
        numeric = isinstance(answer, int | float) and not isinstance(answer, bool)
        rows[application_id][item_id] = answer if numeric else None
    return list(rows.values())


# --- fairness ----------------------------------------------------------------


def selection_records(
    session: Session, scope: Scope, basis: SelectionBasis
) -> list[SelectionRecord]:
    """Scored applications with their categories; ``selected`` per ``basis`` (None: no
    decision yet, when the basis is a person's decision)."""
    statement = scope.apply(
        _with_categories(
            select(ApplicationScore.recommendation, Application.decision).join(
                Application, Application.id == ApplicationScore.application_id
            )
        ).order_by(Application.id)
    )
    records = []
    for recommendation, decision, sex, race in session.execute(statement):
        if basis is SelectionBasis.RECOMMENDATION:
            selected: bool | None = recommendation == "advance"
        else:
            selected = None if decision is None else decision in SELECTED_DECISIONS
        records.append(SelectionRecord(_categories(sex, race), selected))
    return records


def score_records(session: Session, scope: Scope) -> list[ScoreRecord]:
    """Scored applications' overall scores with their categories (LL144 scoring rates)."""
    statement = scope.apply(
        _with_categories(
            select(ApplicationScore.overall).join(
                Application, Application.id == ApplicationScore.application_id
            )
        ).order_by(Application.id)
    )
    return [
        ScoreRecord(_categories(sex, race), overall)
        for overall, sex, race in session.execute(statement)
    ]


def _with_categories(statement: AnySelect) -> AnySelect:
    return statement.add_columns(
        SelfIdentification.sex, SelfIdentification.race_ethnicity
    ).outerjoin(SelfIdentification, SelfIdentification.application_id == Application.id)


def _categories(sex: str | None, race: str | None) -> Categories:
    """No answer and "prefer not to say" are both unknown to the report."""
    return {
        Grouping.SEX: None if sex in (None, PREFER_NOT_TO_SAY) else sex,
        Grouping.RACE_ETHNICITY: None if race in (None, PREFER_NOT_TO_SAY) else race,
    }


# --- validity ----------------------------------------------------------------


@dataclass(frozen=True)
class ValidityRow:
    """A scored application's pre-screen scores and its panel's interview mean, if any."""

    application_id: int
    overall: float
    dimensions: Mapping[str, float]
    interview: float | None  # mean of the panel's scorecard overalls


def validity_rows(session: Session, scope: Scope) -> list[ValidityRow]:
    interview = (
        select(Scorecard.application_id, func.avg(Scorecard.overall).label("mean"))
        .group_by(Scorecard.application_id)
        .subquery()
    )
    statement = scope.apply(
        select(Application.id, ApplicationScore.overall, ApplicationScore.result, interview.c.mean)
        .join(ApplicationScore, ApplicationScore.application_id == Application.id)
        .outerjoin(interview, interview.c.application_id == Application.id)
        .order_by(Application.id)
    )
    return [
        ValidityRow(
            application_id,
            overall,
            {d["key"]: d["score"] for d in result.get("dimensions", [])},
            None if mean is None else float(mean),
        )
        for application_id, overall, result, mean in session.execute(statement)
    ]
