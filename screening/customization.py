"""A company customizes its assessment (its question bank: screening.bank_customization).

The assessment starts from a copy of the default and is edited as YAML text: the admin
pages' form turns its common changes (wording, the customer promise, weights, cut scores)
into in-place edits of that text (:mod:`core.yaml_text`), so comments and layout survive and
a diff shows only what changed. Publishing validates the text, numbers it one past the latest
version and stores it as a new immutable version, refusing a draft that changes nothing, or
one with a dimension the company's question bank has no interview questions for.

Applications keep the version they started with; openings move to a new version only when
the publisher chooses so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

import yaml
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core import audit, definition_versions, yaml_text
from core.clock import Clock
from core.companies import Company
from core.definition_versions import Draft
from core.definitions import Problem, read_text
from core.errors import NotFound
from screening.bank_customization import bank_in_use
from screening.definition import (
    ASSESSMENT,
    DEFAULT_ASSESSMENT,
    AssessmentDefinition,
    SjtItem,
    TextItem,
)
from screening.models import AssessmentVersion, Opening

# -- the defaults -------------------------------------------------------------------------------


@cache
def default_assessment_text() -> str:
    return read_text(DEFAULT_ASSESSMENT)


@cache
def _default_assessment_as(version: int) -> Draft[AssessmentDefinition]:
    return definition_versions.numbered(
        ASSESSMENT, default_assessment_text(), DEFAULT_ASSESSMENT.name, version
    )


# -- assessments --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentSummary:
    """One of the company's assessments (a key), at its latest version."""

    key: str
    title: str
    version: int
    published_at: datetime
    openings: int  # how many openings use some version of it


@dataclass(frozen=True)
class AssessmentChanges:
    """What the assessment form changes; None or absent: leave as it is."""

    company_name: str | None = None
    promise: str | None = None
    mission: str | None = None
    advance: float | None = None
    review: float | None = None
    weights: Mapping[str, float] = field(default_factory=dict)  # dimension key -> weight
    # item id -> its wording: the scenario of an SJT, the question of a text item, the
    # statement of a Likert item or a check
    wording: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (item, option) -> text


@dataclass(frozen=True)
class AssessmentPublication:
    version: AssessmentVersion
    previous: AssessmentVersion | None
    moved_openings: tuple[int, ...]  # openings moved from the previous version to this one
    company_fields: tuple[str, ...]  # company settings taken from the new version


def assessments_of(session: Session, company_id: int) -> list[AssessmentSummary]:
    rows = session.scalars(
        select(AssessmentVersion)
        .where(AssessmentVersion.company_id == company_id)
        .order_by(AssessmentVersion.key, AssessmentVersion.version.desc())
    ).all()
    using: dict[str, int] = {
        key: count
        for key, count in session.execute(
            select(AssessmentVersion.key, func.count(Opening.id))
            .join(Opening, Opening.assessment_version_id == AssessmentVersion.id)
            .where(Opening.company_id == company_id)
            .group_by(AssessmentVersion.key)
        )
    }
    latest: dict[str, AssessmentVersion] = {}
    for row in rows:
        latest.setdefault(row.key, row)
    return [
        AssessmentSummary(
            row.key, row.definition["title"], row.version, row.published_at, using.get(row.key, 0)
        )
        for row in latest.values()
    ]


def latest_assessment(session: Session, company_id: int, key: str) -> AssessmentVersion | None:
    return session.scalar(
        select(AssessmentVersion)
        .filter_by(company_id=company_id, key=key)
        .order_by(AssessmentVersion.version.desc())
        .limit(1)
    )


def assessment_history(session: Session, company_id: int, key: str) -> list[AssessmentVersion]:
    """Every published version of one assessment, newest first; NotFound if there is none."""
    rows = list(
        session.scalars(
            select(AssessmentVersion)
            .filter_by(company_id=company_id, key=key)
            .order_by(AssessmentVersion.version.desc())
        )
    )
    if not rows:
        raise NotFound("This workspace has no assessment by that name.")
    return rows


def assessment_version(
    session: Session, company_id: int, key: str, version: int
) -> AssessmentVersion:
    row = session.scalar(
        select(AssessmentVersion).filter_by(company_id=company_id, key=key, version=version)
    )
    if row is None:
        raise NotFound("No such version of this assessment.")
    return row


def previous_assessment(session: Session, row: AssessmentVersion) -> AssessmentVersion | None:
    return session.scalar(
        select(AssessmentVersion)
        .filter_by(company_id=row.company_id, key=row.key)
        .where(AssessmentVersion.version < row.version)
        .order_by(AssessmentVersion.version.desc())
        .limit(1)
    )


def assessment_text(row: AssessmentVersion) -> str:
    """The YAML a version was published as. Versions stored before texts were kept (the
    default, published when a workspace starts) get the default file's text when it is the
    same content, else a plain dump of the stored document."""
    if row.yaml_text is not None:
        return row.yaml_text
    default = _default_assessment_as(row.version)
    if default.checksum == row.checksum:
        return default.text
    return yaml.safe_dump(row.definition, sort_keys=False, allow_unicode=True, width=100)


def assessment_diff(session: Session, row: AssessmentVersion) -> str:
    """What this version changed, as a unified diff of the YAML against the version before."""
    before = previous_assessment(session, row)
    if before is None:
        return ""
    return yaml_text.unified_diff(
        assessment_text(before),
        assessment_text(row),
        f"{row.key} v{before.version}",
        f"{row.key} v{row.version}",
    )


def assessment_draft(session: Session, company: Company, key: str) -> str:
    """Where editing starts: the latest version's text with the company block as the
    workspace's settings say now (they may have changed since it was published)."""
    row = latest_assessment(session, company.id, key)
    if row is None:
        raise NotFound("This workspace has no assessment by that name.")
    return with_company_settings(assessment_text(row), company)


def default_assessment_draft(company: Company, key: str) -> str:
    """A fresh copy of the default assessment, under this document's key."""
    text = yaml_text.replace_scalars(default_assessment_text(), {("key",): key})
    return with_company_settings(text, company)


def with_company_settings(text: str, company: Company) -> str:
    return apply_assessment_changes(
        text,
        AssessmentChanges(
            company_name=company.name or None,
            promise=company.promise or None,
            mission=company.mission,
        ),
    )


def apply_assessment_changes(text: str, changes: AssessmentChanges) -> str:
    """The assessment's YAML with the form's changes made in place; the rest as written.

    Raises DefinitionError when the text itself is not a valid assessment, and
    yaml_text.NotEditable when it is written in a shape the form cannot change.
    """
    definition = ASSESSMENT.parse_text(text, "<assessment>")
    edits: dict[yaml_text.Path, Any] = {}

    def change(path: yaml_text.Path, old: Any, new: Any) -> None:
        if new is not None and new != old:
            edits[path] = new

    change(("company", "name"), definition.company.name, changes.company_name)
    change(("company", "promise"), definition.company.promise, changes.promise)
    add_mission = changes.mission is not None and changes.mission != definition.company.mission
    change(("cut_scores", "advance"), definition.cut_scores.advance, changes.advance)
    change(("cut_scores", "review"), definition.cut_scores.review, changes.review)
    for index, dimension in enumerate(definition.dimensions):
        change(
            ("dimensions", index, "weight"), dimension.weight, changes.weights.get(dimension.key)
        )
    for page_index, page in enumerate(definition.pages):
        for item_index, item in enumerate(page.items):
            where: yaml_text.Path = ("pages", page_index, "items", item_index)
            if isinstance(item, SjtItem | TextItem):
                change((*where, "prompt"), item.prompt, changes.wording.get(item.id))
            else:
                change((*where, "text"), item.text, changes.wording.get(item.id))
            if isinstance(item, SjtItem):
                for option_index, option in enumerate(item.options):
                    new = changes.options.get((item.id, option.id))
                    change((*where, "options", option_index, "text"), option.text, new)
    if add_mission and not _has(text, ("company", "mission")):
        text = yaml_text.add_key(text, ("company",), "mission", changes.mission)
    elif add_mission:
        edits[("company", "mission")] = changes.mission
    return yaml_text.replace_scalars(text, edits)


def publish_assessment(
    session: Session,
    clock: Clock,
    company: Company,
    text: str,
    *,
    published_by: int | None,
    source: str = "<assessment>",
    key: str | None = None,
    own_number: bool = False,
    move_openings: bool = False,
) -> AssessmentPublication:
    """Publish an assessment's YAML as its next version (see core.definition_versions.prepare).

    With ``move_openings`` the company's openings on the previous version use this one from
    now on (applications already started keep theirs). A changed company block (name,
    promise, mission) becomes the workspace's settings, which is what candidates see. Refused
    with DefinitionError when the question bank has no questions for one of its dimensions.
    """
    draft = definition_versions.prepare(
        ASSESSMENT,
        text,
        source,
        latest_of=lambda draft_key: latest_assessment(session, company.id, draft_key),
        at_number=lambda draft_key, number: session.scalar(
            select(AssessmentVersion).filter_by(
                company_id=company.id, key=draft_key, version=number
            )
        ),
        key=key,
        own_number=own_number,
        check=lambda definition, written: _bank_covers(session, company.id, definition, written),
    )
    definition = draft.model
    previous = latest_assessment(session, company.id, definition.key)
    row = AssessmentVersion(
        company_id=company.id,
        key=definition.key,
        version=definition.version,
        checksum=draft.checksum,
        definition=definition.model_dump(mode="json"),
        yaml_text=draft.text,
        published_at=clock.now(),
        published_by=published_by,
    )
    definition_versions.store(session, row)
    moved: tuple[int, ...] = ()
    if move_openings and previous is not None:
        moved = tuple(
            session.scalars(
                select(Opening.id).where(
                    Opening.company_id == company.id,
                    Opening.assessment_version_id == previous.id,
                )
            )
        )
        session.execute(
            update(Opening)
            .where(Opening.id.in_(moved))
            .values(assessment_version_id=row.id)
            .execution_options(synchronize_session="fetch")
        )
    company_fields = _take_company_block(company, definition, previous)
    audit.record(
        session,
        clock,
        actor=f"user:{published_by}" if published_by else "cli",
        action="definition.published",
        subject_type="assessment",
        subject_id=row.id,
        company_id=company.id,
        key=row.key,
        version=row.version,
        checksum=row.checksum,
        moved_openings=list(moved),
        company_fields=list(company_fields),
    )
    return AssessmentPublication(row, previous, moved, company_fields)


def openings_on(session: Session, version_id: int) -> list[Opening]:
    """The openings that use this assessment version (candidates who start now get it)."""
    return list(
        session.scalars(
            select(Opening)
            .where(Opening.assessment_version_id == version_id)
            .order_by(Opening.title)
        )
    )


def _take_company_block(
    company: Company, definition: AssessmentDefinition, previous: AssessmentVersion | None
) -> tuple[str, ...]:
    """Company settings changed by this version (only what differs from the version before,
    so republishing an old text never undoes a later change made in the settings)."""
    if previous is None:
        return ()
    before = previous.definition.get("company", {})
    changed = []
    for name, attribute in (("name", "name"), ("promise", "promise"), ("mission", "mission")):
        value = getattr(definition.company, name)
        if value != before.get(name, "") and value != getattr(company, attribute):
            setattr(company, attribute, value)
            changed.append(name)
    return tuple(changed)


def _bank_covers(
    session: Session, company_id: int, definition: AssessmentDefinition, text: str
) -> list[Problem]:
    bank = bank_in_use(session, company_id)
    return [
        Problem(
            f"dimensions[{index}].key",
            f"the interview question bank has no questions for {dimension.key!r}; "
            "add them to the question bank first, then publish this",
            definition_versions.line_of(text, ("dimensions", index, "key")),
            1,
        )
        for index, dimension in enumerate(definition.dimensions)
        if dimension.key not in bank.dimensions
    ]


def _has(text: str, path: yaml_text.Path) -> bool:
    try:
        yaml_text.node_at(yaml_text.compose(text), path)
    except yaml_text.NotEditable:
        return False
    return True
