"""Calendar files for onboarding steps (RFC 5545 via icalendar) and the hire's timeline
states, without a database: step instances are built in memory."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from core.definitions import DefinitionError
from onboarding import calendar, timeline
from onboarding.calendar import Person
from onboarding.models import Enrollment, StepInstance
from onboarding.sequence import DEFAULT_SEQUENCE, load_sequence, parse_sequence

SEQUENCE = load_sequence(DEFAULT_SEQUENCE)
START = datetime(2027, 3, 1, 8, tzinfo=UTC)


def _step(key: str, status: str = "pending", day: int = 0, **extra: object) -> StepInstance:
    definition = SEQUENCE.steps_by_key[key]
    deliver_at = START + timedelta(days=day)
    return StepInstance(
        id=abs(hash(key)) % 10_000,
        step_key=key,
        after_key=definition.after,
        audience=definition.audience,
        kind=definition.kind,
        title=extra.pop("title", definition.title),
        status=status,
        deliver_at=deliver_at,
        due_at=deliver_at + timedelta(days=definition.due_days),
        **extra,
    )


def _enrollment() -> Enrollment:
    return Enrollment(
        id=7,
        role="Customer Advisor, Leeds; weekends",
        new_hire_name="Nia Okafor",
        start_date="2027-03-01",
        timezone="Europe/London",
    )


def test_an_invite_escapes_text_and_folds_long_lines_with_crlf() -> None:
    title = "Ride-along, with the manager; bring boots\\notes " + "x" * 80
    step = _step("ride_along", title=title)
    text = calendar.meeting_invite(
        step,
        SEQUENCE,
        _enrollment(),
        stamp=START,
        organizer=Person("Max Manager", "max@example.com"),
        attendees=[Person("Nia Okafor", "nia@example.com")],
    )

    raw_lines = text.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in raw_lines)  # folded at 75 octets
    assert "\n" not in text.replace("\r\n", "")  # CRLF only
    assert r"Ride-along\, with the manager\; bring boots\\notes" in text.replace("\r\n ", "")
    event = Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(event["summary"]) == title  # and it reads back exactly
    assert event["dtend"].dt - event["dtstart"].dt == timedelta(minutes=90)
    assert event["organizer"].params["cn"] == "Max Manager"


def test_the_managers_plan_has_the_first_day_and_only_steps_they_take_part_in() -> None:
    steps = [
        _step("welcome", "delivered", -7),
        _step("manager_prepare_first_week", "completed", -5),  # done: nothing to attend
        _step("arrange_ride_along", "pending", 7),
        _step("ride_along", "pending", 10),
        _step("listen_to_customers", "pending", 3),
    ]
    text = calendar.manager_plan(_enrollment(), steps, SEQUENCE, START, None)

    events = Calendar.from_ical(text).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [
        "Nia Okafor starts as Customer Advisor, Leeds; weekends",
        "Arrange a ride-along or customer event",
        "Ride-along with your manager",
    ]
    assert events[0]["dtstart"].dt.isoformat() == "2027-03-01"  # an all-day date


def test_a_step_after_an_unfinished_manager_step_waits_and_counts_agree() -> None:
    steps = [
        _step("welcome", "completed", -7),
        _step("arrange_ride_along", "delivered", 7),
        _step("ride_along", "pending", 10),
        _step("customer_goal", "delivered", 14),
    ]
    now = START + timedelta(days=40)

    plan = timeline.timeline(steps, now)

    by_key = {entry.step.step_key: entry for entry in plan.entries}
    assert by_key["ride_along"].state == timeline.StepState.WAITING
    assert by_key["ride_along"].waiting_for is steps[1]
    assert by_key["customer_goal"].state == timeline.StepState.READY
    assert by_key["customer_goal"].overdue
    assert [e.step.step_key for e in plan.others] == ["arrange_ride_along"]
    assert (plan.done, plan.total) == timeline.progress(steps) == (1, 3)
    assert len(plan.of(timeline.StepState.DONE)) == plan.done


def test_only_task_and_meeting_steps_take_notes() -> None:
    document = SEQUENCE.model_dump(mode="json")
    document["steps"][0]["notes"] = {"label": "Anything?", "required": True}  # a read_ack
    reason = "steps[0].notes: only task and meeting steps take notes"
    with pytest.raises(DefinitionError, match=re.escape(reason)):
        parse_sequence(document, "culture_sequence.yaml")
