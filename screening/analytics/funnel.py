"""The hiring funnel, from plain timestamps: conversion and time between stages, per week.

Stages, in order (an application's time at each is when it *first* reached it):

1. started — the candidate began the assessment;
2. submitted; 3. scored;
4. packet delivered — the first interview-packet email to the panel went out;
5. interviewed — the first scorecard is in;
6. offer — the first "offer" (or "offer accepted") decision;
7. accepted — "offer accepted";
8. onboarding completed — every onboarding step done (onboarding tells us; screening never
   imports it).

For each stage after the first: **reached** counts applications with a time at that stage;
**conversion** = those that reached it *and* the previous stage ÷ those that reached the
previous stage; **median time** is the median, over those same applications, of (this stage's
time - the previous stage's time). A stage can be skipped (an offer made without a scorecard on
record); such an application counts as reaching the later stage but not in its conversion.

Weekly funnels group applications by the ISO week (UTC) in which they *started*, so a week's
row follows one cohort through the stages. **Abandonment** counts, for each assessment page,
the candidates who reached it (finished every page before it) and stopped there without
submitting, among those idle since a cutoff (a draft still being worked on is not abandoned).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from screening.analytics import AnalysisInputError


class Stage(StrEnum):
    STARTED = "started"
    SUBMITTED = "submitted"
    SCORED = "scored"
    PACKET_DELIVERED = "packet_delivered"
    INTERVIEWED = "interviewed"
    OFFER = "offer"
    ACCEPTED = "accepted"
    ONBOARDING_COMPLETED = "onboarding_completed"


STAGES: tuple[Stage, ...] = tuple(Stage)


@dataclass(frozen=True)
class Timeline:
    """When one application first reached each stage (absent: not reached)."""

    application_id: int
    opening_id: int
    reached: Mapping[Stage, datetime]

    def __post_init__(self) -> None:
        if Stage.STARTED not in self.reached:
            raise AnalysisInputError(f"Application {self.application_id} has no start time.")


@dataclass(frozen=True)
class StageStep:
    stage: Stage
    reached: int
    converted: int  # reached this stage and the previous one
    conversion: Fraction | None  # converted ÷ previous stage's reached; None for the first
    median_time: timedelta | None  # from the previous stage, over the converted


@dataclass(frozen=True)
class Funnel:
    applications: int
    steps: tuple[StageStep, ...]

    def step(self, stage: Stage) -> StageStep:
        return self.steps[STAGES.index(stage)]


@dataclass(frozen=True)
class WeeklyFunnel:
    week: str  # ISO week of the start, "2026-W48"
    funnel: Funnel


@dataclass(frozen=True)
class PageProgress:
    """How far one application got through the assessment pages."""

    application_id: int
    pages_done: frozenset[str]
    submitted: bool
    last_activity: datetime


@dataclass(frozen=True)
class PageAbandonment:
    page: str
    reached: int  # finished every page before this one (submitted or idle)
    stopped: int  # idle here without finishing it
    rate: Fraction | None  # stopped ÷ reached


@dataclass(frozen=True)
class Abandonment:
    pages: tuple[PageAbandonment, ...]
    submitted: int
    in_progress: int  # not submitted but active since the cutoff: not counted as abandoned
    stopped_before_submitting: int  # every page done, never submitted


def funnel(timelines: Iterable[Timeline]) -> Funnel:
    """The funnel over these applications."""
    timelines = list(timelines)
    steps = []
    for index, stage in enumerate(STAGES):
        reached = [t for t in timelines if stage in t.reached]
        if index == 0:
            steps.append(StageStep(stage, len(reached), len(reached), None, None))
            continue
        previous = STAGES[index - 1]
        before = sum(1 for t in timelines if previous in t.reached)
        both = [t for t in reached if previous in t.reached]
        waits = [(t.reached[stage] - t.reached[previous]).total_seconds() for t in both]
        steps.append(
            StageStep(
                stage=stage,
                reached=len(reached),
                converted=len(both),
                conversion=Fraction(len(both), before) if before else None,
                median_time=timedelta(seconds=statistics.median(waits)) if waits else None,
            )
        )
    return Funnel(len(timelines), tuple(steps))


def iso_week(moment: datetime) -> str:
    """The ISO 8601 week of a moment, in UTC: ``2026-W01`` can start in late December."""
    if moment.tzinfo is None:
        raise AnalysisInputError("A naive datetime was given; times must be timezone-aware.")
    year, week, _ = moment.astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


def weekly_funnels(timelines: Iterable[Timeline]) -> tuple[WeeklyFunnel, ...]:
    """One funnel per ISO week of the start (the cohort that started that week), oldest first."""
    cohorts: dict[str, list[Timeline]] = defaultdict(list)
    for timeline in timelines:
        cohorts[iso_week(timeline.reached[Stage.STARTED])].append(timeline)
    return tuple(WeeklyFunnel(week, funnel(cohorts[week])) for week in sorted(cohorts))


def funnels_by_opening(timelines: Iterable[Timeline]) -> dict[int, Funnel]:
    openings: dict[int, list[Timeline]] = defaultdict(list)
    for timeline in timelines:
        openings[timeline.opening_id].append(timeline)
    return {opening_id: funnel(group) for opening_id, group in sorted(openings.items())}


def abandonment(
    pages: Sequence[str], progress: Iterable[PageProgress], idle_since: datetime
) -> Abandonment:
    """Where candidates stop: per page, how many reached it and how many stopped there.

    An unsubmitted application active at or after ``idle_since`` is still in progress and
    left out; an idle one stopped at the first page (in assessment order) it had not finished.
    """
    if len(set(pages)) != len(pages):
        raise AnalysisInputError("A page is listed twice.")
    reached = dict.fromkeys(pages, 0)
    stopped = dict.fromkeys(pages, 0)
    submitted = in_progress = before_submitting = 0
    for application in progress:
        if application.submitted:
            submitted += 1
            for page in pages:
                reached[page] += 1
            continue
        if application.last_activity >= idle_since:
            in_progress += 1
            continue
        stop = next((page for page in pages if page not in application.pages_done), None)
        for page in pages:
            reached[page] += 1
            if page == stop:
                stopped[page] += 1
                break
        else:
            before_submitting += 1
    rows = tuple(
        PageAbandonment(
            page,
            reached[page],
            stopped[page],
            Fraction(stopped[page], reached[page]) if reached[page] else None,
        )
        for page in pages
    )
    return Abandonment(rows, submitted, in_progress, before_submitting)


def stage_times(started: datetime, later: Mapping[Stage, datetime | None]) -> dict[Stage, datetime]:
    """A timeline's ``reached`` mapping from possibly-missing times (None: not reached)."""
    times = {Stage.STARTED: started}
    times.update({stage: moment for stage, moment in later.items() if moment is not None})
    return times
