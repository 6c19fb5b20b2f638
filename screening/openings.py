"""Openings as a company runs them: create, edit, pause, close, and who sits on the panel.

Admins and recruiters manage their company's openings (:func:`screening.access.
may_manage_openings`); anyone else, and every other company, gets "not found". Forms only
check the shape of what was typed; the rules are here, so the web, the CLI and tests share
them. A refusal names the field it concerns (:class:`InvalidOpening`), so a page can show it
beside that field with everything else kept.

An opening pins one published assessment version: publishing a new version changes nothing
here until someone chooses it. It may also set its own cut scores and dimension weights; the
pinned definition keeps its own for everything left unset, and scoring reads both
(:func:`screening.applications.scoring_definition`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core import audit
from core.accounts import User
from core.clock import Clock
from core.companies import Company
from core.errors import DomainError, NotFound
from screening.access import may_manage_openings
from screening.applications import definition_for
from screening.definition import AssessmentDefinition
from screening.models import AssessmentVersion, Opening, OpeningManager, OpeningStatus

TITLE_MAX, TEAM_MAX, LOCATION_MAX, DESCRIPTION_MAX = 160, 120, 120, 2000
SLUG_MAX = 80
WEIGHT_MAX = 10.0  # as in a definition's own dimensions
WEIGHT_MESSAGE = f"A weight is a positive number, at most {WEIGHT_MAX:g} (1 is usual)."
CUTS = ("advance", "review")


class InvalidOpening(DomainError):
    """What was asked for breaks a rule; ``problems`` maps each field to its message."""

    status_code = 422

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__(" ".join(self.problems.values()))


@dataclass(frozen=True)
class OpeningDetails:
    """Everything a person sets on an opening. Overrides left out (None, or a dimension not
    named in ``weights``) follow the pinned definition."""

    title: str
    team: str = ""
    location: str = ""
    description: str = ""
    assessment_version_id: int | None = None  # None: the company's latest published version
    # advance, review; one alone is completed from the definition and stored as a pair
    cut_scores: Mapping[str, float | None] = field(default_factory=dict)
    weights: Mapping[str, float | None] = field(default_factory=dict)  # dimension key: weight
    panel: Collection[int] = ()  # user ids of the company's active staff


@dataclass(frozen=True)
class VersionChoice:
    """A published assessment version as a person picks it (without its large document)."""

    id: int
    key: str
    version: int
    title: str
    published_at: datetime

    @property
    def label(self) -> str:
        return f"{self.title} · version {self.version}"


# --- reading -------------------------------------------------------------------------------


def published_versions(session: Session, company_id: int) -> list[VersionChoice]:
    """The company's published assessment versions, the latest first."""
    rows = session.execute(
        select(
            AssessmentVersion.id,
            AssessmentVersion.key,
            AssessmentVersion.version,
            AssessmentVersion.definition["title"].as_string(),
            AssessmentVersion.published_at,
        )
        .where(AssessmentVersion.company_id == company_id)
        .order_by(AssessmentVersion.published_at.desc(), AssessmentVersion.id.desc())
    ).all()
    return [VersionChoice(*row) for row in rows]


def latest_version(session: Session, company_id: int, key: str | None = None) -> int | None:
    """The id of the company's most recently published version (of ``key``, if given)."""
    query = select(AssessmentVersion.id).where(AssessmentVersion.company_id == company_id)
    if key is not None:
        query = query.where(AssessmentVersion.key == key)
    return session.scalar(
        query.order_by(AssessmentVersion.published_at.desc(), AssessmentVersion.id.desc())
    )


def panel_choices(session: Session, company_id: int) -> list[User]:
    """Who may sit on a panel: the company's active staff."""
    return list(
        session.scalars(
            select(User).where(User.company_id == company_id, User.is_active).order_by(User.name)
        )
    )


def panel_ids(session: Session, opening_id: int) -> set[int]:
    """The active members of an opening's panel."""
    return set(
        session.scalars(
            select(OpeningManager.user_id)
            .join(User, User.id == OpeningManager.user_id)
            .where(OpeningManager.opening_id == opening_id, User.is_active)
        )
    )


def opening_by_slug(session: Session, slug: str) -> Opening:
    """The opening behind a public link, whatever its status (its page says if it is closed)."""
    opening = session.scalar(select(Opening).where(Opening.slug == slug))
    if opening is None:
        raise NotFound("This job opening does not exist. The link may be incomplete.")
    return opening


def listed_openings(session: Session, company_id: int) -> list[Opening]:
    """What a company's careers page lists: its openings taking applications."""
    return list(
        session.scalars(
            select(Opening)
            .where(Opening.company_id == company_id, Opening.is_open)
            .order_by(Opening.title, Opening.id)
        )
    )


def listed_counts(session: Session) -> dict[int, int]:
    """How many openings each company lists (companies listing none are absent)."""
    rows = session.execute(
        select(Opening.company_id, func.count()).where(Opening.is_open).group_by(Opening.company_id)
    )
    return {company_id: count for company_id, count in rows}


def public_url(base_url: str, slug: str) -> str:
    """The link candidates apply from (shared in job ads, on the careers page, by the CLI)."""
    return f"{base_url.rstrip('/')}/o/{slug}"


# --- changing --------------------------------------------------------------------------------


def create_opening(
    session: Session,
    clock: Clock,
    company: Company,
    details: OpeningDetails,
    *,
    by: User | None = None,
    actor: str = "cli",
) -> Opening:
    """A new opening, taking applications at once. ``by`` None is a caller that already
    scoped the company (the command line, an API key), named ``actor`` in the audit log."""
    _require_manager(by, company.id)
    checked = _checked(session, company.id, details)
    opening = Opening(
        company_id=company.id,
        slug=_free_slug(session, f"{company.slug}-{_slugify(checked.title)}"),
        created_at=clock.now(),
        status=OpeningStatus.OPEN,
    )
    _apply(opening, checked)
    session.add(opening)
    session.flush()
    added, _ = _set_panel(session, opening, checked.panel)
    audit.record(
        session,
        clock,
        actor=_actor(by, actor),
        action="opening.created",
        subject_type="opening",
        subject_id=opening.id,
        slug=opening.slug,
        assessment_version_id=opening.assessment_version_id,
        cut_scores=opening.cut_scores,
        dimension_weights=opening.dimension_weights,
        panel=sorted(added),
    )
    return opening


def update_opening(
    session: Session,
    clock: Clock,
    opening: Opening,
    details: OpeningDetails,
    *,
    by: User | None,
    actor: str = "cli",
) -> list[str]:
    """Change an opening; returns the names of what changed (empty: nothing did). Its public
    link stays the same, and applications already started keep their assessment version."""
    _require_manager(by, opening.company_id)
    checked = _checked(session, opening.company_id, details)
    before = _snapshot(opening)
    _apply(opening, checked)
    after = _snapshot(opening)
    changed = [name for name in after if after[name] != before[name]]
    added, removed = _set_panel(session, opening, checked.panel)
    if added or removed:
        changed.append("panel")
    if changed:
        audit.record(
            session,
            clock,
            actor=_actor(by, actor),
            action="opening.updated",
            subject_type="opening",
            subject_id=opening.id,
            changed=changed,
            assessment_version_id=opening.assessment_version_id,
            cut_scores=opening.cut_scores,
            dimension_weights=opening.dimension_weights,
            panel_added=sorted(added),
            panel_removed=sorted(removed),
        )
    return changed


STATUS_ACTIONS = {
    OpeningStatus.OPEN: "opening.reopened",
    OpeningStatus.PAUSED: "opening.paused",
    OpeningStatus.CLOSED: "opening.closed",
}


def set_status(
    session: Session,
    clock: Clock,
    opening: Opening,
    status: OpeningStatus | str,
    *,
    by: User | None,
    actor: str = "cli",
) -> bool:
    """Open, pause or close an opening; False when it already had that status.

    Paused and closed openings leave the careers page and their link says so; candidates who
    already started may still finish (they began in good faith), and their applications go
    through scoring and packets as usual.
    """
    _require_manager(by, opening.company_id)
    try:
        wanted = OpeningStatus(status)
    except ValueError:
        raise InvalidOpening({"status": "Choose open, paused or closed."}) from None
    if opening.status == wanted:
        return False
    previous, opening.status = opening.status, wanted
    audit.record(
        session,
        clock,
        actor=_actor(by, actor),
        action=STATUS_ACTIONS[wanted],
        subject_type="opening",
        subject_id=opening.id,
        previous=previous,
    )
    return True


# --- rules -----------------------------------------------------------------------------------


def check_details(session: Session, company_id: int, details: OpeningDetails) -> None:
    """Raise InvalidOpening with every rule ``details`` breaks, changing nothing (a page
    whose form refused some fields shows the rest of the problems at the same time)."""
    _checked(session, company_id, details)


@dataclass(frozen=True)
class _Checked:
    title: str
    team: str
    location: str
    description: str
    assessment_version_id: int
    cut_scores: dict[str, float] | None
    weights: dict[str, float] | None
    panel: frozenset[int]


def _checked(session: Session, company_id: int, details: OpeningDetails) -> _Checked:
    problems: dict[str, str] = {}
    title = details.title.strip()
    if not title:
        problems["title"] = "Give the opening a title, e.g. “Customer Advisor”."
    for name, text, limit in (
        ("title", title, TITLE_MAX),
        ("team", details.team.strip(), TEAM_MAX),
        ("location", details.location.strip(), LOCATION_MAX),
        ("description", details.description.strip(), DESCRIPTION_MAX),
    ):
        if len(text) > limit:
            problems.setdefault(name, f"Keep this to {limit} characters or fewer.")

    version_id = details.assessment_version_id or latest_version(session, company_id)
    definition: AssessmentDefinition | None = None
    if version_id is None:
        problems["assessment_version_id"] = "Publish an assessment for this company first."
    elif not _is_published_version(session, company_id, version_id):
        problems["assessment_version_id"] = "Choose one of this company's published versions."
    else:
        definition = definition_for(session, version_id)

    cut_scores = _given(details.cut_scores)
    weights = _given(details.weights)
    if definition is not None:
        problems.update(_cut_score_problems(definition, cut_scores))
        problems.update(_weight_problems(definition, weights))
        if cut_scores and not problems:
            # Stored as a pair: ordered whatever version an application started on.
            cut_scores = {**definition.cut_scores.model_dump(), **cut_scores}

    panel = frozenset(details.panel)
    staff = {user.id for user in panel_choices(session, company_id)}
    if panel - staff:
        problems["panel"] = "Choose the panel among this company's active staff."

    if problems or version_id is None:
        raise InvalidOpening(problems)
    return _Checked(
        title=title,
        team=details.team.strip(),
        location=details.location.strip(),
        description=details.description.strip(),
        assessment_version_id=version_id,
        cut_scores=cut_scores or None,
        weights=weights or None,
        panel=panel,
    )


def _given(values: Mapping[str, float | None]) -> dict[str, float]:
    return {key: float(value) for key, value in values.items() if value is not None}


def _cut_score_problems(
    definition: AssessmentDefinition, cut_scores: Mapping[str, float]
) -> dict[str, str]:
    problems = {
        f"cut_{key}": "Enter a cut score from 0 to 100."
        for key, value in cut_scores.items()
        if key in CUTS and not (math.isfinite(value) and 0 <= value <= 100)
    }
    problems.update(
        {f"cut_{key}": "There is no such cut score." for key in cut_scores if key not in CUTS}
    )
    if problems:
        return problems
    effective = {**definition.cut_scores.model_dump(), **cut_scores}
    if effective["review"] > effective["advance"]:
        return {
            "cut_review": (
                f"The review cut score ({effective['review']:g}) must not be above the advance "
                f"cut score ({effective['advance']:g})."
            )
        }
    return {}


def _weight_problems(
    definition: AssessmentDefinition, weights: Mapping[str, float]
) -> dict[str, str]:
    problems = {}
    for key, value in weights.items():
        if key not in definition.dimensions_by_key:
            problems[f"weight_{key}"] = "This assessment version has no such dimension."
        elif not (math.isfinite(value) and 0 < value <= WEIGHT_MAX):
            problems[f"weight_{key}"] = WEIGHT_MESSAGE
    return problems


def _is_published_version(session: Session, company_id: int, version_id: int) -> bool:
    if not 0 < version_id < 2**31:  # no such id, and larger ones overflow the column type
        return False
    return (
        session.scalar(
            select(AssessmentVersion.id).where(
                AssessmentVersion.id == version_id, AssessmentVersion.company_id == company_id
            )
        )
        is not None
    )


def _apply(opening: Opening, checked: _Checked) -> None:
    opening.title = checked.title
    opening.team = checked.team
    opening.location = checked.location
    opening.description = checked.description
    opening.assessment_version_id = checked.assessment_version_id
    opening.cut_scores = checked.cut_scores
    opening.dimension_weights = checked.weights


def _snapshot(opening: Opening) -> dict[str, Any]:
    return {
        "title": opening.title,
        "team": opening.team,
        "location": opening.location,
        "description": opening.description,
        "assessment_version_id": opening.assessment_version_id,
        "cut_scores": opening.cut_scores,
        "dimension_weights": opening.dimension_weights,
    }


def _set_panel(
    session: Session, opening: Opening, wanted: frozenset[int]
) -> tuple[set[int], set[int]]:
    """Make the panel's active members exactly ``wanted``; deactivated members stay listed
    (they see nothing while inactive). Returns who was added and who removed."""
    current = panel_ids(session, opening.id)
    added, removed = set(wanted - current), current - wanted
    if removed:
        session.execute(
            delete(OpeningManager).where(
                OpeningManager.opening_id == opening.id, OpeningManager.user_id.in_(removed)
            )
        )
    for user_id in sorted(added):
        if session.get(OpeningManager, (opening.id, user_id)) is None:
            session.add(OpeningManager(opening_id=opening.id, user_id=user_id))
    session.flush()
    return added, removed


def _require_manager(user: User | None, company_id: int) -> None:
    if user is not None and not (may_manage_openings(user) and user.company_id == company_id):
        raise NotFound("No such opening.")


def _actor(user: User | None, otherwise: str) -> str:
    return f"user:{user.id}" if user is not None else otherwise


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "opening"


def _free_slug(session: Session, wanted: str) -> str:
    """``wanted`` (shortened to fit), or with -2, -3… when another opening has it already.
    Slugs are never reused: a link in an old job ad must not lead to a different job."""
    base = wanted[: SLUG_MAX - 4].strip("-")
    taken = set(
        session.scalars(select(Opening.slug).where(Opening.slug.startswith(base, autoescape=True)))
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
