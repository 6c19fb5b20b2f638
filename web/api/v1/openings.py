"""/api/v1/openings: list, read, create, change and close a company's job openings.

The rules are :mod:`screening.openings`'s, the same as the "New opening" page and the CLI.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import select

from core.companies import Company
from screening import access, openings
from screening.models import Opening, OpeningStatus
from web import extensions
from web.api.v1.routes import api, bp, caller, responses
from web.input_guard import MAX_ID

Title = Field(min_length=1, max_length=openings.TITLE_MAX)
CutScore = Field(default=None, ge=0, le=100)


class CutScores(BaseModel):
    """Scores (0-100) at and above which a candidate is recommended to advance, or reviewed;
    left out: the assessment's own."""

    advance: float | None = CutScore
    review: float | None = CutScore


class OpeningOut(BaseModel):
    id: int
    slug: str
    title: str
    team: str
    location: str
    description: str
    status: OpeningStatus
    assessment_version_id: int
    cut_scores: dict[str, float] | None = Field(description="Overrides of the assessment's")
    dimension_weights: dict[str, float] | None = Field(description="Overrides, by dimension")
    public_url: str = Field(description="Where candidates apply")
    created_at: datetime


class OpeningList(BaseModel):
    openings: list[OpeningOut]


class OpeningIn(BaseModel):
    title: str = Title
    team: str = Field(default="", max_length=openings.TEAM_MAX)
    location: str = Field(default="", max_length=openings.LOCATION_MAX)
    description: str = Field(default="", max_length=openings.DESCRIPTION_MAX)
    assessment_version_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="Default: the latest published version"
    )
    cut_scores: CutScores = Field(default_factory=CutScores)
    dimension_weights: dict[str, float] = Field(
        default_factory=dict, description="Dimension key: weight (0 to 10, 1 is usual)"
    )


class OpeningChange(BaseModel):
    """Only what is given changes."""

    title: str | None = Field(default=None, min_length=1, max_length=openings.TITLE_MAX)
    team: str | None = Field(default=None, max_length=openings.TEAM_MAX)
    location: str | None = Field(default=None, max_length=openings.LOCATION_MAX)
    description: str | None = Field(default=None, max_length=openings.DESCRIPTION_MAX)
    assessment_version_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    cut_scores: CutScores | None = None
    dimension_weights: dict[str, float] | None = None
    status: OpeningStatus | None = None


class OpeningFilter(BaseModel):
    status: OpeningStatus | None = None


def _out(opening: Opening) -> OpeningOut:
    return OpeningOut(
        id=opening.id,
        slug=opening.slug,
        title=opening.title,
        team=opening.team,
        location=opening.location,
        description=opening.description,
        status=OpeningStatus(opening.status),
        assessment_version_id=opening.assessment_version_id,
        cut_scores=opening.cut_scores,
        dimension_weights=opening.dimension_weights,
        public_url=openings.public_url(extensions.settings().base_url, opening.slug),
        created_at=opening.created_at,
    )


@bp.get("/openings")
@api.validate(resp=responses(HTTP_200=OpeningList), tags=["openings"])
def list_openings(query: OpeningFilter) -> OpeningList:
    """List the company's openings"""
    wanted = select(Opening).where(Opening.id.in_(access.company_openings(caller().company_id)))
    if query.status is not None:
        wanted = wanted.where(Opening.status == query.status)
    with extensions.db().unit_of_work() as session:
        found = session.scalars(wanted.order_by(Opening.id))
        return OpeningList(openings=[_out(opening) for opening in found])


@bp.get("/openings/<id:opening_id>")
@api.validate(resp=responses(HTTP_200=OpeningOut), tags=["openings"])
def get_opening(opening_id: int) -> OpeningOut:
    """Read an opening"""
    with extensions.db().unit_of_work() as session:
        return _out(access.company_opening(session, caller().company_id, opening_id))


@bp.post("/openings")
@api.validate(resp=responses(HTTP_201=OpeningOut), tags=["openings"])
def create_opening(json: OpeningIn) -> tuple[OpeningOut, int]:
    """Create an opening

    It takes applications at once; its `public_url` is the link for job ads."""
    details = openings.OpeningDetails(
        title=json.title,
        team=json.team,
        location=json.location,
        description=json.description,
        assessment_version_id=json.assessment_version_id,
        cut_scores=json.cut_scores.model_dump(),
        weights=json.dimension_weights,
    )
    with extensions.db().unit_of_work() as session:
        company = session.get_one(Company, caller().company_id)
        opening = openings.create_opening(
            session, extensions.clock(), company, details, actor=caller().actor
        )
        return _out(opening), 201


@bp.patch("/openings/<id:opening_id>")
@api.validate(resp=responses(HTTP_200=OpeningOut), tags=["openings"])
def update_opening(opening_id: int, json: OpeningChange) -> OpeningOut:
    """Change an opening

    Fields left out keep their value; `cut_scores` and `dimension_weights`, when given,
    replace the opening's overrides. Its public link never changes."""
    clock = extensions.clock()
    with extensions.db().unit_of_work() as session:
        opening = access.company_opening(session, caller().company_id, opening_id)
        cut_scores = json.cut_scores.model_dump() if json.cut_scores else opening.cut_scores or {}
        weights = (
            json.dimension_weights
            if json.dimension_weights is not None
            else opening.dimension_weights or {}
        )
        details = openings.OpeningDetails(
            title=json.title if json.title is not None else opening.title,
            team=json.team if json.team is not None else opening.team,
            location=json.location if json.location is not None else opening.location,
            description=json.description if json.description is not None else opening.description,
            assessment_version_id=json.assessment_version_id or opening.assessment_version_id,
            cut_scores=cut_scores,
            weights=weights,
            panel=openings.panel_ids(session, opening.id),
        )
        openings.update_opening(session, clock, opening, details, by=None, actor=caller().actor)
        if json.status is not None:
            openings.set_status(session, clock, opening, json.status, by=None, actor=caller().actor)
        return _out(opening)


@bp.post("/openings/<id:opening_id>/close")
@api.validate(resp=responses(HTTP_200=OpeningOut), tags=["openings"])
def close_opening(opening_id: int) -> OpeningOut:
    """Close an opening

    It leaves the careers page and its link says so; candidates who already started may
    finish. Closing a closed opening changes nothing."""
    with extensions.db().unit_of_work() as session:
        opening = access.company_opening(session, caller().company_id, opening_id)
        openings.set_status(
            session,
            extensions.clock(),
            opening,
            OpeningStatus.CLOSED,
            by=None,
            actor=caller().actor,
        )
        return _out(opening)
