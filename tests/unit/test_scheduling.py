"""Due times: 09:00 local wall-clock time on the right day, whatever daylight saving does."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onboarding.scheduling import DELIVERY_HOUR, DUE_HOUR, local_time, plan
from onboarding.sequence import DEFAULT_SEQUENCE, Sequence, load_sequence, parse_sequence

ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/St_Johns",
    "UTC",
]
START_DATES = st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31))


@cache
def default_sequence() -> Sequence:
    return load_sequence(DEFAULT_SEQUENCE)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_offset_zero_arrives_at_nine_local_on_the_start_date() -> None:
    assert local_time(date(2026, 1, 5), 0, "Europe/Berlin") == utc(2026, 1, 5, 8)
    assert local_time(date(2026, 1, 5), 0, "UTC") == utc(2026, 1, 5, 9)
    assert local_time(date(2026, 1, 5), 0, "Asia/Kolkata") == utc(2026, 1, 5, 3, 30)


def test_preboarding_steps_arrive_before_the_start_date() -> None:
    start = date(2026, 4, 6)
    planned = plan(default_sequence(), start, "Europe/Berlin")
    first_day = datetime.combine(start, time(0), tzinfo=ZoneInfo("Europe/Berlin"))
    steps = default_sequence().steps
    for step, times in zip(steps, planned, strict=True):
        assert (times.deliver_at < first_day) == (step.offset_days < 0)
    assert planned[0].step_key == "welcome"
    assert planned[0].deliver_at == utc(2026, 3, 30, 7)  # -7 days, 09:00 CEST


@pytest.mark.parametrize(
    ("tz", "start", "winter_utc_hour", "summer_utc_hour"),
    [
        # Europe/Berlin springs forward on Sunday 2026-03-29: Monday 23rd vs Monday 30th.
        ("Europe/Berlin", date(2026, 3, 23), 8, 7),
        # America/New_York springs forward on Sunday 2026-03-08: Monday 2nd vs Monday 9th.
        ("America/New_York", date(2026, 3, 2), 14, 13),
    ],
)
def test_spring_forward_keeps_nine_local(
    tz: str, start: date, winter_utc_hour: int, summer_utc_hour: int
) -> None:
    before, after = local_time(start, 0, tz), local_time(start, 7, tz)
    assert before == utc(start.year, start.month, start.day, winter_utc_hour)
    monday = start + timedelta(days=7)
    assert after == utc(monday.year, monday.month, monday.day, summer_utc_hour)
    assert after - before == timedelta(days=7, hours=-1)  # the night that lasted 23 hours
    for moment in (before, after):
        assert moment.astimezone(ZoneInfo(tz)).time() == time(DELIVERY_HOUR)


@pytest.mark.parametrize(
    ("tz", "start", "summer_utc_hour", "winter_utc_hour"),
    [
        # Europe/Berlin falls back on Sunday 2026-10-25: Monday 19th vs Monday 26th.
        ("Europe/Berlin", date(2026, 10, 19), 7, 8),
        # America/New_York falls back on Sunday 2026-11-01: Monday Oct 26th vs Monday Nov 2nd.
        ("America/New_York", date(2026, 10, 26), 13, 14),
    ],
)
def test_falling_back_keeps_nine_local(
    tz: str, start: date, summer_utc_hour: int, winter_utc_hour: int
) -> None:
    before, after = local_time(start, 0, tz), local_time(start, 7, tz)
    assert before == utc(start.year, start.month, start.day, summer_utc_hour)
    monday = start + timedelta(days=7)
    assert after == utc(monday.year, monday.month, monday.day, winter_utc_hour)
    assert after - before == timedelta(days=7, hours=1)


def test_on_the_day_of_the_change_itself_nine_is_still_nine() -> None:
    # Berlin's clocks go from 02:00 to 03:00 on 2026-03-29: 09:00 that day is already CEST.
    assert local_time(date(2026, 3, 29), 0, "Europe/Berlin") == utc(2026, 3, 29, 7)
    assert local_time(date(2026, 10, 25), 0, "Europe/Berlin") == utc(2026, 10, 25, 8)


def test_a_step_is_due_at_five_local_and_reminded_and_escalated_at_nine() -> None:
    # welcome: offset -7, due 7, reminder 3, escalation 10 days after delivery.
    start = date(2026, 3, 30)  # the Monday after Berlin springs forward
    welcome = plan(default_sequence(), start, "Europe/Berlin")[0]
    assert welcome.deliver_at == utc(2026, 3, 23, 8)  # 09:00 CET
    assert welcome.remind_at == utc(2026, 3, 26, 8)  # 09:00 CET
    assert welcome.due_at == utc(2026, 3, 30, 15)  # 17:00 CEST
    assert welcome.escalate_at == utc(2026, 4, 2, 7)  # 09:00 CEST


def test_steps_without_reminders_have_none() -> None:
    document = default_sequence().model_dump(mode="json")
    del document["steps"][0]["reminder_after_days"]
    del document["steps"][0]["escalate_after_days"]
    welcome = plan(parse_sequence(document), date(2026, 5, 4), "UTC")[0]
    assert (welcome.remind_at, welcome.escalate_at) == (None, None)


def test_the_plan_follows_the_sequence_order() -> None:
    planned = plan(default_sequence(), date(2026, 5, 4), "America/New_York")
    assert [p.step_key for p in planned] == [s.key for s in default_sequence().steps]
    for times in planned:
        assert times.deliver_at.tzinfo is UTC
        assert times.deliver_at <= times.due_at


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "", "europe/berlin", "America", "../etc"])
def test_an_unknown_time_zone_is_refused(tz: str) -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        local_time(date(2026, 1, 5), 0, tz)
    with pytest.raises(ValueError, match="unknown time zone"):
        plan(default_sequence(), date(2026, 1, 5), tz)


@given(
    start=START_DATES,
    offsets=st.tuples(st.integers(-30, 120), st.integers(-30, 120)),
    tz=st.sampled_from(ZONES),
)
def test_deliveries_are_at_nine_local_and_in_offset_order(
    start: date, offsets: tuple[int, int], tz: str
) -> None:
    first, second = sorted(offsets)
    earlier, later = local_time(start, first, tz), local_time(start, second, tz)
    for offset, moment in ((first, earlier), (second, later)):
        assert moment.tzinfo is UTC
        local = moment.astimezone(ZoneInfo(tz))
        assert local.date() == start + timedelta(days=offset)
        assert local.time() == time(DELIVERY_HOUR)
    assert (earlier < later) == (first < second)
    assert local_time(start, first, tz, DUE_HOUR) - earlier == timedelta(hours=8)


def calendar_day_sequence() -> Sequence:
    return default_sequence().model_copy(update={"working_days_only": False})


@given(start=START_DATES, shift=st.integers(1, 400), tz=st.sampled_from(ZONES))
def test_a_later_start_moves_every_step_by_the_same_calendar_days(
    start: date, shift: int, tz: str
) -> None:
    zone = ZoneInfo(tz)
    before = plan(calendar_day_sequence(), start, tz)
    after = plan(calendar_day_sequence(), start + timedelta(days=shift), tz)
    for old, new in zip(before, after, strict=True):
        assert old.step_key == new.step_key
        old_local, new_local = old.deliver_at.astimezone(zone), new.deliver_at.astimezone(zone)
        assert new_local.date() - old_local.date() == timedelta(days=shift)
        assert new_local.time() == old_local.time() == time(DELIVERY_HOUR)
        assert new.due_at.astimezone(zone).time() == time(DUE_HOUR)


def test_working_days_only_moves_weekend_steps_to_the_monday_after() -> None:
    monday = date(2027, 3, 1)
    saturday = local_time(monday, 5, "Europe/Berlin", working_days_only=True)
    sunday = local_time(monday, 6, "Europe/Berlin", working_days_only=True)
    friday = local_time(monday, 4, "Europe/Berlin", working_days_only=True)
    assert saturday == sunday == datetime(2027, 3, 8, 8, 0, tzinfo=UTC)  # Monday 09:00 CET
    assert friday == datetime(2027, 3, 5, 8, 0, tzinfo=UTC)
    assert local_time(monday, 5, "Europe/Berlin") == datetime(2027, 3, 6, 8, 0, tzinfo=UTC)


def test_the_default_sequence_never_lands_on_a_weekend() -> None:
    sequence = load_sequence(DEFAULT_SEQUENCE)
    assert sequence.working_days_only
    for start in (date(2027, 3, 1) + timedelta(days=n) for n in range(7)):
        for planned in plan(sequence, start, "America/New_York"):
            for moment in (planned.deliver_at, planned.due_at, planned.remind_at):
                if moment is not None:
                    assert moment.astimezone(ZoneInfo("America/New_York")).weekday() < 5


@given(start=START_DATES, tz=st.sampled_from(ZONES))
def test_in_working_days_reminders_and_escalations_come_after_the_step_arrives(
    start: date, tz: str
) -> None:
    """A step moved off a weekend counts its days from the Monday it arrives: its reminder
    is never sent with it (on 2026-12-08 a hire who started 12 days earlier got both at once)."""
    for planned in plan(default_sequence(), start, tz):
        for later in (planned.remind_at, planned.escalate_at):
            assert later is None or later > planned.deliver_at


@given(start=START_DATES, weeks=st.integers(1, 60), tz=st.sampled_from(ZONES))
def test_in_working_days_a_start_later_by_whole_weeks_moves_every_step_by_those_weeks(
    start: date, weeks: int, tz: str
) -> None:
    zone = ZoneInfo(tz)
    before = plan(default_sequence(), start, tz)
    after = plan(default_sequence(), start + timedelta(weeks=weeks), tz)
    for old, new in zip(before, after, strict=True):
        old_local, new_local = old.deliver_at.astimezone(zone), new.deliver_at.astimezone(zone)
        assert new_local.date() - old_local.date() == timedelta(weeks=weeks)
        assert new_local.time() == time(DELIVERY_HOUR)


def test_a_sunday_to_thursday_week_moves_friday_and_saturday_steps_to_sunday() -> None:
    week = "sun,mon,tue,wed,thu"
    thursday = date(2027, 3, 4)
    friday = local_time(thursday, 1, "Asia/Jerusalem", working_days_only=True, working_days=week)
    saturday = local_time(thursday, 2, "Asia/Jerusalem", working_days_only=True, working_days=week)
    sunday = local_time(thursday, 3, "Asia/Jerusalem", working_days_only=True, working_days=week)
    assert friday == saturday == sunday == utc(2027, 3, 7, 7)  # Sunday 09:00 IST
    thursday_itself = local_time(
        thursday, 0, "Asia/Jerusalem", working_days_only=True, working_days=week
    )
    assert thursday_itself == utc(2027, 3, 4, 7)
    for start in (thursday + timedelta(days=n) for n in range(7)):
        for planned in plan(default_sequence(), start, "Asia/Jerusalem", working_days=week):
            for moment in (planned.deliver_at, planned.due_at, planned.remind_at):
                if moment is not None:
                    assert moment.astimezone(ZoneInfo("Asia/Jerusalem")).weekday() not in (4, 5)


def test_a_four_day_week_moves_friday_steps_to_the_monday_after() -> None:
    week = "mon,tue,wed,thu"
    monday = date(2027, 3, 1)
    assert local_time(monday, 4, "UTC", working_days_only=True, working_days=week) == utc(
        2027, 3, 8, 9
    )
    assert local_time(monday, 3, "UTC", working_days_only=True, working_days=week) == utc(
        2027, 3, 4, 9
    )
    assert local_time(monday, 4, "UTC", working_days=week) == utc(2027, 3, 5, 9)  # calendar days
    for start in (monday + timedelta(days=n) for n in range(7)):
        for planned in plan(default_sequence(), start, "UTC", working_days=week):
            assert planned.deliver_at.weekday() < 4 and planned.due_at.weekday() < 4


def test_unknown_working_days_are_refused() -> None:
    for week in ("", "mon,funday", "Monday"):
        with pytest.raises(ValueError, match="working days"):
            plan(default_sequence(), date(2027, 3, 1), "UTC", working_days=week)
