"""An opening's candidate list: search, filters, sort and pages, as one query.

Who may see the opening is :mod:`screening.access`'s question; everything here starts from
:func:`screening.access.opening_for`, so another team's opening answers "not found". The same
:class:`CandidateQuery` serves the page (one page of rows) and the CSV export (every row).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, Select, case, exists, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from core.accounts import User
from screening import access
from screening.models import Application, ApplicationScore, Candidate, Opening, Packet
from screening.scoring import Flag, flags_of

PAGE_SIZE = 25
RECOMMENDATIONS = ("advance", "review", "hold")
RECOMMENDATION_ORDER = {key: rank for rank, key in enumerate(RECOMMENDATIONS)}
# Applications that are submitted but have no score yet sort after every recommendation.
_UNSCORED_RANK = len(RECOMMENDATIONS)


class SortKey(StrEnum):
    RECOMMENDATION = "recommendation"  # best first, then score: the default
    SCORE = "score"
    SUBMITTED = "submitted"
    NAME = "name"


class FlagFilter(StrEnum):
    ANY = ""
    FLAGGED = "flagged"
    UNFLAGGED = "unflagged"


class StatusFilter(StrEnum):
    """Where a candidate stands: no decision yet, or the latest decision a person recorded."""

    ANY = ""
    UNDECIDED = "undecided"
    ADVANCE = "advance"
    REJECT = "reject"
    OFFER = "offer"
    OFFER_ACCEPTED = "offer_accepted"


@dataclass(frozen=True)
class CandidateQuery:
    search: str = ""  # part of the candidate's name, any case
    recommendation: str = ""  # one of RECOMMENDATIONS, or "" for all
    flags: FlagFilter = FlagFilter.ANY
    status: StatusFilter = StatusFilter.ANY
    sort: SortKey = SortKey.RECOMMENDATION
    descending: bool = False  # against the sort's natural order (see _ORDER)
    page: int = 1


@dataclass(frozen=True)
class CandidateRow:
    application_id: int
    name: str
    email: str
    submitted_at: datetime | None
    recommendation: str | None  # None while scoring
    overall: float | None
    dimension_scores: dict[str, float]  # dimension key -> 0-100
    flags: tuple[Flag, ...]
    decision: str | None
    has_packet: bool


@dataclass(frozen=True)
class CandidatePage:
    rows: tuple[CandidateRow, ...]
    total: int  # rows matching the query, on every page
    page: int  # 1-based, within 1..pages
    pages: int

    @property
    def first_number(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last_number(self) -> int:
        return (self.page - 1) * PAGE_SIZE + len(self.rows)


class _FlagCount(FunctionElement[int]):
    """How many flags a stored score result holds (JSON differs between the two databases)."""

    type = Integer()
    inherit_cache = True


@compiles(_FlagCount)
def _flag_count_default(element: _FlagCount, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(ApplicationScore.__table__.c.result, **kw)
    return f"coalesce(json_array_length({column}, '$.flags'), 0)"


@compiles(_FlagCount, "postgresql")
def _flag_count_postgresql(element: _FlagCount, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(ApplicationScore.__table__.c.result, **kw)
    return f"coalesce(jsonb_array_length({column} -> 'flags'), 0)"


def _rank() -> Any:
    return case(RECOMMENDATION_ORDER, value=ApplicationScore.recommendation, else_=_UNSCORED_RANK)


# Each sort in its natural direction ("descending" reverses the first key, never the
# tie-breaks); the application id last so that pages never overlap.
_ORDER: dict[SortKey, Any] = {
    SortKey.RECOMMENDATION: lambda: (_rank(), ApplicationScore.overall.desc().nulls_last()),
    SortKey.SCORE: lambda: (ApplicationScore.overall.desc().nulls_last(),),
    SortKey.SUBMITTED: lambda: (Application.submitted_at.desc(),),
    SortKey.NAME: lambda: (func.lower(Candidate.name),),
}
_REVERSED: dict[SortKey, Any] = {
    SortKey.RECOMMENDATION: lambda: (_rank().desc(), ApplicationScore.overall.asc().nulls_last()),
    SortKey.SCORE: lambda: (ApplicationScore.overall.asc().nulls_first(),),
    SortKey.SUBMITTED: lambda: (Application.submitted_at.asc(),),
    SortKey.NAME: lambda: (func.lower(Candidate.name).desc(),),
}


def _matching(opening: Opening, query: CandidateQuery) -> Select[Any]:
    statement = (
        select(
            Application.id,
            Candidate.name,
            Candidate.email,
            Application.submitted_at,
            Application.decision,
            ApplicationScore.recommendation,
            ApplicationScore.overall,
            ApplicationScore.result,
            exists().where(Packet.application_id == Application.id).label("has_packet"),
        )
        .join(Candidate, Candidate.id == Application.candidate_id)
        .outerjoin(ApplicationScore, ApplicationScore.application_id == Application.id)
        .where(Application.opening_id == opening.id, Application.status != "started")
    )
    if query.search.strip():
        statement = statement.where(Candidate.name.icontains(query.search.strip(), autoescape=True))
    if query.recommendation in RECOMMENDATIONS:
        statement = statement.where(ApplicationScore.recommendation == query.recommendation)
    if query.flags == FlagFilter.FLAGGED:
        statement = statement.where(_FlagCount() > 0)
    elif query.flags == FlagFilter.UNFLAGGED:
        statement = statement.where(ApplicationScore.id.is_not(None), _FlagCount() == 0)
    if query.status == StatusFilter.UNDECIDED:
        statement = statement.where(Application.decision.is_(None))
    elif query.status:
        statement = statement.where(Application.decision == query.status.value)
    return statement


def _ordered(statement: Select[Any], query: CandidateQuery) -> Select[Any]:
    keys = (_REVERSED if query.descending else _ORDER)[query.sort]()
    return statement.order_by(*keys, Application.submitted_at, Application.id)


def _row(found: Any) -> CandidateRow:
    result = found.result or {}
    return CandidateRow(
        application_id=found.id,
        name=found.name,
        email=found.email,
        submitted_at=found.submitted_at,
        recommendation=found.recommendation,
        overall=found.overall,
        dimension_scores={d["key"]: float(d["score"]) for d in result.get("dimensions", ())},
        flags=flags_of(result),
        decision=found.decision,
        has_packet=bool(found.has_packet),
    )


def candidate_page(
    session: Session, user: User, opening_id: int, query: CandidateQuery
) -> CandidatePage:
    """One page of the opening's submitted candidates that match ``query``; a page past the
    end shows the last one."""
    opening = access.opening_for(session, user, opening_id)
    matching = _matching(opening, query)
    total = session.scalar(select(func.count()).select_from(matching.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(query.page, 1), pages)
    found = session.execute(
        _ordered(matching, query).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return CandidatePage(tuple(_row(row) for row in found), total, page, pages)


def every_candidate(
    session: Session, user: User, opening_id: int, query: CandidateQuery
) -> Sequence[CandidateRow]:
    """Every candidate matching ``query`` (the page number aside), for the CSV export."""
    opening = access.opening_for(session, user, opening_id)
    return [_row(row) for row in session.execute(_ordered(_matching(opening, query), query))]


def submitted_counts(session: Session, user: User) -> dict[int, int]:
    """Opening id -> submitted candidates, for every opening this user may see (one query)."""
    found = session.execute(
        select(Application.opening_id, func.count())
        .where(
            Application.opening_id.in_(access.visible_openings(user)),
            Application.status != "started",
        )
        .group_by(Application.opening_id)
    )
    return {opening_id: count for opening_id, count in found}
