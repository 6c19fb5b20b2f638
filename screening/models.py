"""Screening tables: companies, openings, published assessment versions, applications, scores."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts import User  # noqa: F401 - user_account must be on the metadata
from core.companies import Company
from core.db import Base


class AssessmentVersion(Base):
    """A published assessment definition; immutable once written."""

    __tablename__ = "assessment_version"
    __table_args__ = (UniqueConstraint("company_id", "key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    checksum: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]]
    published_at: Mapped[datetime]
    # The YAML as written, for the editor and diffs; None for versions published from a
    # parsed document (screening.customization.assessment_text fills the gap).
    yaml_text: Mapped[str | None] = mapped_column(Text)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class OpeningStatus(StrEnum):
    """Open: taking applications. Paused: not for now (its link says so). Closed: filled or
    withdrawn. Applications already started may still be finished in any of them."""

    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class Opening(Base):
    __tablename__ = "opening"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    # Pinned: a new published version reaches an opening only when someone chooses it.
    assessment_version_id: Mapped[int] = mapped_column(ForeignKey("assessment_version.id"))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    team: Mapped[str] = mapped_column(String(120), default="", server_default="")
    location: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(String(2000), default="", server_default="")
    status: Mapped[str] = mapped_column(
        String(16), default=OpeningStatus.OPEN, server_default=OpeningStatus.OPEN
    )
    # Overrides of the pinned definition for this opening alone; None: the definition's own.
    # {"advance": 70.0, "review": 50.0} and {dimension key: weight} (any subset of dimensions).
    cut_scores: Mapped[dict[str, Any] | None]
    dimension_weights: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]

    company: Mapped[Company] = relationship(lazy="joined")

    @hybrid_property
    def is_open(self) -> bool:
        """Taking applications (in queries too: ``select(Opening).where(Opening.is_open)``)."""
        return self.status == OpeningStatus.OPEN

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls) -> ColumnElement[bool]:
        return cls.status == OpeningStatus.OPEN


class Candidate(Base):
    """The only table holding a candidate's personal data (erasure anonymizes this row)."""

    __tablename__ = "candidate"
    # Starting twice with the same email resumes the open application: found by email.
    __table_args__ = (Index("ix_candidate_email", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime]
    erased_at: Mapped[datetime | None]


class Application(Base):
    """One candidate's attempt at one opening's assessment.

    Status moves started → submitted → scored, always by conditional UPDATE so that a
    double-clicked submit or a redelivered message changes nothing the second time.
    """

    __tablename__ = "application"
    __table_args__ = (Index("ix_application_opening_status", "opening_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    # Idempotency key from the start form, so a double-clicked "Start" makes one application.
    start_key: Mapped[str] = mapped_column(String(64), unique=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("opening.id"))
    # Indexed: erasure and the retention purge find a candidate's applications by it.
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)
    assessment_version_id: Mapped[int] = mapped_column(ForeignKey("assessment_version.id"))
    status: Mapped[str] = mapped_column(String(16), default="started")
    # Answers saved page by page until submission (save-and-resume), then copied to responses.
    draft: Mapped[dict[str, Any]] = mapped_column(default=dict)
    page_seconds: Mapped[dict[str, Any]] = mapped_column(default=dict)
    page_opened_at: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    scored_at: Mapped[datetime | None]
    # The latest person-made decision: advance | reject | offer | offer_accepted.
    decision: Mapped[str | None] = mapped_column(String(16))

    opening: Mapped[Opening] = relationship()
    candidate: Mapped[Candidate] = relationship()


class Response(Base):
    __tablename__ = "response"
    __table_args__ = (UniqueConstraint("application_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    item_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[dict[str, Any]]  # {"v": <answer>} keeps every answer type in one column


class ApplicationScore(Base):
    """Scores, flags and the recommendation for one application (exactly one row each)."""

    __tablename__ = "application_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    overall: Mapped[float]
    recommendation: Mapped[str] = mapped_column(String(16))
    result: Mapped[dict[str, Any]]
    scorer_version: Mapped[str] = mapped_column(String(32))
    scored_at: Mapped[datetime]


class OpeningManager(Base):
    """The interview panel: hiring managers of an opening (authorization follows this table)."""

    __tablename__ = "opening_manager"

    opening_id: Mapped[int] = mapped_column(ForeignKey("opening.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)


class Packet(Base):
    """The structured-interview packet built for one scored application (exactly one each)."""

    __tablename__ = "packet"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    content: Mapped[dict[str, Any]]
    bank_checksum: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[datetime]


class Scorecard(Base):
    """One interviewer's ratings of every packet question, submitted independently."""

    __tablename__ = "scorecard"
    __table_args__ = (UniqueConstraint("application_id", "interviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    ratings: Mapped[dict[str, Any]]  # {question_id: {"rating": 1-5, "notes": str}}
    dimension_means: Mapped[dict[str, Any]]
    overall: Mapped[float]
    submitted_at: Mapped[datetime]
    # Set when erasure scrubbed the notes but could not be sure nothing identifying is left.
    needs_privacy_review: Mapped[bool] = mapped_column(default=False, server_default=false())


class Decision(Base):
    """A hiring decision by a person; the history is kept, the latest one counts."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    source: Mapped[str] = mapped_column(String(16))  # "dashboard" | "webhook"
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(1000), default="")
    recommendation: Mapped[str | None] = mapped_column(String(16))
    against_recommendation: Mapped[bool] = mapped_column(default=False)
    start_date: Mapped[str | None] = mapped_column(String(10))
    decided_at: Mapped[datetime]
    # Set when erasure scrubbed the reason but could not be sure nothing identifying is left.
    needs_privacy_review: Mapped[bool] = mapped_column(default=False, server_default=false())
