"""A company customizes its onboarding sequence.

Like the assessment and the question bank (screening.customization), the sequence starts
from a copy of the default, is edited as YAML text (the form's changes, steps on or off and
their day, are made in place so comments and layout survive), and is published as a new
immutable version (core.definition_versions). New hires are enrolled on the company's
current sequence; an enrollment keeps the exact sequence it started with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

import yaml
from sqlalchemy.orm import Session

from core import definition_versions, yaml_text
from core.clock import Clock
from core.definition_versions import DefinitionVersion, Draft
from core.definitions import read_text
from core.errors import NotFound
from onboarding import scheduling
from onboarding.sequence import DEFAULT_SEQUENCE, SEQUENCE, Sequence, Step

STEPS: yaml_text.Path = ("steps",)


@cache
def default_sequence_text() -> str:
    return read_text(DEFAULT_SEQUENCE)


@cache
def default_sequence() -> Sequence:
    return SEQUENCE.parse_text(default_sequence_text(), DEFAULT_SEQUENCE.name)


def current_sequence(session: Session, company_id: int) -> Sequence | None:
    """The company's published sequence in use now; None while it uses the default."""
    return definition_versions.current(session, company_id, SEQUENCE)


def sequence_draft(session: Session, company_id: int, key: str | None = None) -> str:
    """Where editing starts: the current sequence's text (of ``key``), or a copy of the
    default."""
    return definition_versions.draft_text(session, company_id, SEQUENCE, _default_draft(), key)


def publish_sequence(
    session: Session,
    clock: Clock,
    company_id: int,
    text: str,
    *,
    published_by: int | None,
    source: str = "<sequence>",
    key: str | None = None,
    own_number: bool = False,
) -> DefinitionVersion:
    """Publish a sequence's YAML as the company's current sequence: hires enrolled from now
    on follow it; hires already enrolled keep theirs."""
    return definition_versions.publish(
        session,
        clock,
        SEQUENCE,
        company_id,
        text,
        source=source,
        published_by=published_by,
        key=key,
        own_number=own_number,
        default=_default_draft(),
    )


@cache
def _default_draft() -> Draft[Sequence]:
    return Draft(default_sequence(), default_sequence_text())


def sequence_history(session: Session, company_id: int, key: str) -> list[DefinitionVersion]:
    """Every published version of one sequence, newest first."""
    return definition_versions.history(session, company_id, SEQUENCE, key)


def sequence_diff(session: Session, company_id: int, key: str, version: int) -> str:
    """What a published version of the sequence changed (NotFound for no such version)."""
    row = definition_versions.version_of(session, company_id, SEQUENCE, key, version)
    if row is None:
        raise NotFound("No such version of the onboarding sequence.")
    return definition_versions.diff(session, SEQUENCE, row, _default_draft())


# -- the form: steps on or off, and their day --------------------------------------------------


@dataclass(frozen=True)
class StepChoice:
    """A step the form offers: those of the draft (on) and the default's others (off)."""

    key: str
    title: str
    offset_days: int
    audience: str
    kind: str
    aim: str
    included: bool


@dataclass(frozen=True)
class StepChange:
    included: bool
    offset_days: int


def step_choices(text: str) -> list[StepChoice]:
    sequence = SEQUENCE.parse_text(text, "<sequence>")
    present = set(sequence.steps_by_key)
    choices = [_choice(step, included=True) for step in sequence.steps]
    choices += [
        _choice(step, included=False)
        for step in default_sequence().steps
        if step.key not in present
    ]
    return sorted(choices, key=lambda choice: (choice.offset_days, not choice.included))


def apply_step_changes(text: str, changes: Mapping[str, StepChange]) -> str:
    """The sequence's YAML with steps left out, moved to another day, or taken back from the
    default (copied as the default writes them), everything else as written.

    Raises DefinitionError when the text is not a valid sequence, and yaml_text.NotEditable
    when its steps are written in a shape the form cannot change (e.g. a flow-style list).
    """
    sequence = SEQUENCE.parse_text(text, "<sequence>")
    offsets = {
        (*STEPS, index, "offset_days"): changes[step.key].offset_days
        for index, step in enumerate(sequence.steps)
        if step.key in changes
        and changes[step.key].included
        and changes[step.key].offset_days != step.offset_days
    }
    text = yaml_text.replace_scalars(text, offsets)
    dropped = [
        index
        for index, step in enumerate(sequence.steps)
        if step.key in changes and not changes[step.key].included
    ]
    for index in reversed(dropped):
        text = yaml_text.remove_entry(text, STEPS, index)
    default = default_sequence()
    present = set(sequence.steps_by_key)
    added = sorted(
        (changes[step.key].offset_days, index)
        for index, step in enumerate(default.steps)
        if step.key not in present and step.key in changes and changes[step.key].included
    )
    for offset, default_index in added:
        text = _with_default_step(text, default_index, offset)
    return text


def _with_default_step(text: str, default_index: int, offset_days: int) -> str:
    source = default_sequence_text()
    entry = yaml_text.entry_text(source, STEPS, default_index)
    indent = yaml_text.dash_column(source, STEPS, default_index)
    if default_sequence().steps[default_index].offset_days != offset_days:
        entry = yaml_text.replace_scalars(entry, {(0, "offset_days"): offset_days})
    # Placed before the first step that arrives later. Read as plain data: the draft may not
    # be valid yet (a step left out may still be another's ``after``), and that is reported
    # when it is checked, at its line.
    steps = (yaml.safe_load(text) or {}).get("steps") or []
    if not steps:
        raise yaml_text.NotEditable("keep at least one step to add others next to it")
    position = next(
        (
            index
            for index, step in enumerate(steps)
            if isinstance(step, dict) and _later(step.get("offset_days"), offset_days)
        ),
        len(steps),
    )
    return yaml_text.insert_entry(text, STEPS, position, entry, indent)


def _later(offset: object, than: int) -> bool:
    return isinstance(offset, int) and not isinstance(offset, bool) and offset > than


def _choice(step: Step, *, included: bool) -> StepChoice:
    return StepChoice(
        step.key, step.title, step.offset_days, step.audience, step.kind, step.aim, included
    )


# -- preview: the plan as a hire enrolled on a sample start date would see it -------------------


@dataclass(frozen=True)
class PlannedPreview:
    """A step as the portal shows it, for a hire who does not exist (nothing is stored)."""

    step_key: str
    title: str
    kind: str
    audience: str
    status: str
    deliver_at: datetime
    due_at: datetime
    completed_at: datetime | None = None
    after_key: str | None = None


def preview_plan(
    sequence: Sequence, start_date: date, timezone: str, as_of: datetime
) -> list[PlannedPreview]:
    """Every step with its times for this start date; those whose time has come by ``as_of``
    (and that wait for no other step) shown as delivered, as enrollment would."""
    planned = [
        PlannedPreview(
            step.key,
            step.title,
            step.kind,
            step.audience,
            "delivered" if plan.deliver_at <= as_of and step.after is None else "pending",
            plan.deliver_at,
            plan.due_at,
            after_key=step.after,
        )
        for step, plan in zip(
            sequence.steps, scheduling.plan(sequence, start_date, timezone), strict=True
        )
    ]
    return sorted(planned, key=lambda step: step.deliver_at)
