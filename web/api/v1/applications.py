"""/api/v1/applications: a company's submitted applications, and one with everything the
panel sees (scores with their evidence, flags, the recommendation and the interview packet)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, field_validator
from sqlalchemy import select

from screening import access, hiring, scoring
from screening.application_search import ApplicationFilter, ApplicationRow, company_applications
from screening.models import ApplicationScore
from web import extensions
from web.api.v1.pages import PageQuery, after_id, cursor_after
from web.api.v1.routes import api, bp, caller, responses
from web.input_guard import MAX_ID

Recommendation = Literal["advance", "review", "hold"]


class ApplicationSummary(BaseModel):
    id: int
    opening_id: int
    status: Literal["submitted", "scored"]
    submitted_at: datetime | None
    scored_at: datetime | None
    overall: float | None = Field(description="0-100; null until scored")
    recommendation: Recommendation | None
    decision: Literal["advance", "reject", "offer", "offer_accepted"] | None
    has_packet: bool


class ApplicationPage(BaseModel):
    applications: list[ApplicationSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: done")


class ApplicationQuery(PageQuery):
    opening: int | None = Field(default=None, ge=1, le=MAX_ID, description="An opening id")
    status: Literal["submitted", "scored"] | None = None
    recommendation: Recommendation | None = None
    submitted_after: AwareDatetime | None = Field(
        default=None, description="With a time zone, e.g. 2026-11-01T00:00:00Z"
    )

    @field_validator("submitted_after")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        try:
            return value.astimezone(UTC) if value is not None else None
        except OverflowError:
            raise ValueError("that time is out of range") from None


class ItemEvidence(BaseModel):
    item_id: str
    kind: str
    score: float
    evidence: str


class TextMatch(BaseModel):
    feature: str
    label: str
    points: int
    snippet: str


class DimensionScore(BaseModel):
    key: str
    name: str
    score: float = Field(description="0-100")
    items: list[ItemEvidence]
    text_matches: list[TextMatch] = []


class FlagOut(BaseModel):
    code: str
    label: str
    detail: str


class PacketQuestion(BaseModel):
    id: str
    dimension: str
    dimension_name: str
    purpose: str
    kind: str
    text: str
    probes: list[str]
    anchors: dict[str, str] = Field(description="Rating (1-5): what an answer at it sounds like")
    strong_answer: str
    weak_answer: str
    reason: str
    evidence: list[str]
    quotes: list[str]


class PacketOut(BaseModel):
    summary: str
    questions: list[PacketQuestion]


class Candidate(BaseModel):
    name: str
    email: str


class ApplicationDetail(ApplicationSummary):
    candidate: Candidate
    dimensions: list[DimensionScore]
    flags: list[FlagOut]
    packet: PacketOut | None


def _summary(row: ApplicationRow) -> ApplicationSummary:
    application, score = row.application, row.score
    return ApplicationSummary(
        id=application.id,
        opening_id=application.opening_id,
        status=application.status,  # type: ignore[arg-type]
        submitted_at=application.submitted_at,
        scored_at=application.scored_at,
        overall=score.overall if score else None,
        recommendation=score.recommendation if score else None,  # type: ignore[arg-type]
        decision=application.decision,  # type: ignore[arg-type]
        has_packet=row.has_packet,
    )


@bp.get("/applications")
@api.validate(resp=responses(HTTP_200=ApplicationPage), tags=["applications"])
def list_applications(query: ApplicationQuery) -> ApplicationPage:
    """List submitted applications

    Oldest first, `limit` at a time; follow `next_cursor` until it is null."""
    wanted = ApplicationFilter(
        opening_id=query.opening,
        status=query.status,
        recommendation=query.recommendation,
        submitted_after=query.submitted_after,
    )
    after = after_id(query.cursor)
    with extensions.db().unit_of_work() as session:
        page = company_applications(
            session, caller().company_id, wanted, after_id=after, limit=query.limit
        )
        return ApplicationPage(
            applications=[_summary(row) for row in page.rows],
            next_cursor=cursor_after(page.last_id),
        )


@bp.get("/applications/<id:application_id>")
@api.validate(resp=responses(HTTP_200=ApplicationDetail), tags=["applications"])
def get_application(application_id: int) -> ApplicationDetail:
    """Read an application with its scores, evidence, flags and packet"""
    with extensions.db().unit_of_work() as session:
        application = access.company_application(session, caller().company_id, application_id)
        row = session.scalar(select(ApplicationScore).filter_by(application_id=application.id))
        packet = hiring.packet_of(session, application)
        result = row.result if row else {}
        return ApplicationDetail(
            **_summary(ApplicationRow(application, row, packet is not None)).model_dump(),
            candidate=Candidate(name=application.candidate.name, email=application.candidate.email),
            dimensions=[DimensionScore.model_validate(d) for d in result.get("dimensions", [])],
            flags=[
                FlagOut(code=flag.code, label=flag.label, detail=flag.detail)
                for flag in scoring.flags_of(result)
            ],
            packet=PacketOut(
                summary=packet.summary,
                questions=[
                    PacketQuestion(
                        id=q.id,
                        dimension=q.dimension,
                        dimension_name=q.dimension_name,
                        purpose=q.purpose,
                        kind=q.kind,
                        text=q.text,
                        probes=list(q.probes),
                        anchors={str(level): text for level, text in q.anchors.items()},
                        strong_answer=q.strong_answer,
                        weak_answer=q.weak_answer,
                        reason=q.reason,
                        evidence=list(q.evidence),
                        quotes=list(q.quotes),
                    )
                    for q in packet.questions
                ],
            )
            if packet
            else None,
        )
