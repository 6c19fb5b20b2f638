"""The funnel and page abandonment, from timestamps worked through by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

import pytest

from screening.analytics import AnalysisInputError
from screening.analytics.funnel import (
    STAGES,
    PageProgress,
    Stage,
    Timeline,
    abandonment,
    funnel,
    funnels_by_opening,
    iso_week,
    stage_times,
    weekly_funnels,
)

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 2026-W48
H, D, M = timedelta(hours=1), timedelta(days=1), timedelta(minutes=1)


def timeline(application_id: int, started: datetime, **after: timedelta) -> Timeline:
    """Stages given as offsets from the start."""
    later = {Stage(name): started + offset for name, offset in after.items()}
    return Timeline(
        application_id, opening_id=application_id % 2, reached=stage_times(started, later)
    )


TIMELINES = [
    timeline(
        1,
        MONDAY,
        submitted=H,
        scored=H + 5 * M,
        packet_delivered=2 * H,
        interviewed=2 * D,
        offer=3 * D,
        accepted=4 * D,
        onboarding_completed=95 * D,
    ),
    timeline(
        2,
        MONDAY + D,
        submitted=3 * H,
        scored=3 * H + 2 * M,
        packet_delivered=4 * H,
        interviewed=5 * D,
    ),
    timeline(3, MONDAY + 2 * D, submitted=2 * H),
    timeline(5, MONDAY + 3 * D, offer=10 * D),  # an offer with no interview on record
    timeline(4, MONDAY + 7 * D),  # the next ISO week
]


def test_stages_are_in_pipeline_order() -> None:
    assert [stage.value for stage in STAGES] == [
        "started",
        "submitted",
        "scored",
        "packet_delivered",
        "interviewed",
        "offer",
        "accepted",
        "onboarding_completed",
    ]


def test_conversion_and_median_time_between_stages_by_hand() -> None:
    result = funnel(TIMELINES)
    steps = {step.stage: step for step in result.steps}

    assert result.applications == 5
    assert (steps[Stage.STARTED].reached, steps[Stage.STARTED].conversion) == (5, None)
    submitted = steps[Stage.SUBMITTED]
    assert (submitted.reached, submitted.conversion, submitted.median_time) == (
        3,
        Fraction(3, 5),
        2 * H,  # waits 1 h, 3 h, 2 h
    )
    assert steps[Stage.SCORED].conversion == Fraction(2, 3)
    assert steps[Stage.SCORED].median_time == 3.5 * M  # 5 and 2 minutes
    assert steps[Stage.PACKET_DELIVERED].median_time == 56.5 * M  # 55 and 58 minutes
    assert steps[Stage.INTERVIEWED].median_time == 81 * H  # 46 h and 116 h
    offer = steps[Stage.OFFER]
    # Two offers, but only one after an interview on record: it alone converts.
    assert (offer.reached, offer.converted, offer.conversion, offer.median_time) == (
        2,
        1,
        Fraction(1, 2),
        D,
    )
    assert steps[Stage.ACCEPTED].conversion == Fraction(1, 2)
    onboarding = steps[Stage.ONBOARDING_COMPLETED]
    assert (onboarding.conversion, onboarding.median_time) == (Fraction(1), 91 * D)
    assert result.step(Stage.OFFER) is offer


def test_weekly_funnels_follow_the_cohort_that_started_that_week() -> None:
    weeks = weekly_funnels(TIMELINES)

    assert [week.week for week in weeks] == ["2026-W48", "2026-W49"]
    first, second = weeks[0].funnel, weeks[1].funnel
    assert first.applications == 4
    assert first.step(Stage.SUBMITTED).conversion == Fraction(3, 4)
    assert second.applications == 1
    assert second.step(Stage.SUBMITTED).conversion == Fraction(0)
    assert second.step(Stage.SCORED).conversion is None  # nobody to convert from
    assert second.step(Stage.SCORED).median_time is None


def test_funnels_per_opening() -> None:
    openings = funnels_by_opening(TIMELINES)  # opening = id % 2: ids 2, 4 and ids 1, 3, 5
    assert {key: value.applications for key, value in openings.items()} == {0: 2, 1: 3}


def test_iso_weeks_are_taken_in_utc_and_can_straddle_new_year() -> None:
    assert iso_week(datetime(2027, 1, 1, 12, tzinfo=UTC)) == "2026-W53"
    # Monday 00:30 at UTC+2 is still Sunday in UTC.
    assert iso_week(datetime(2027, 1, 4, 0, 30, tzinfo=timezone(timedelta(hours=2)))) == "2026-W53"
    assert iso_week(datetime(2027, 1, 4, 0, 30, tzinfo=UTC)) == "2027-W01"
    with pytest.raises(AnalysisInputError):
        iso_week(datetime(2027, 1, 4))  # a naive time


def test_a_timeline_needs_a_start() -> None:
    with pytest.raises(AnalysisInputError, match="no start time"):
        Timeline(9, 1, {Stage.SUBMITTED: MONDAY})


def test_abandonment_by_page_by_hand() -> None:
    now = MONDAY + 30 * D
    idle, active = now - 3 * D, now - H

    def progress(name: int, done: set[str], submitted: bool = False, at: datetime = idle) -> Any:
        return PageProgress(name, frozenset(done), submitted, at)

    result = abandonment(
        ["p1", "p2", "p3"],
        [
            progress(1, {"p1", "p2", "p3"}, submitted=True),
            progress(2, set(), submitted=True),  # submitted: it went through every page
            progress(3, set()),  # stopped on p1
            progress(4, {"p1"}),  # stopped on p2
            progress(5, {"p1", "p3"}),  # p2 is the first page not done
            progress(6, {"p1", "p2"}),  # stopped on p3
            progress(7, {"p1", "p2", "p3"}),  # every page done, never submitted
            progress(8, set(), at=active),  # still working on it
        ],
        idle_since=now - D,
    )

    assert [(p.page, p.reached, p.stopped, p.rate) for p in result.pages] == [
        ("p1", 7, 1, Fraction(1, 7)),
        ("p2", 6, 2, Fraction(1, 3)),
        ("p3", 4, 1, Fraction(1, 4)),
    ]
    assert (result.submitted, result.in_progress, result.stopped_before_submitting) == (2, 1, 1)
