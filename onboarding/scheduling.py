"""When each step of a sequence arrives, falls due, is reminded and escalated.

Times are wall-clock times in the new hire's time zone (steps arrive at 09:00 and fall due at
17:00 local time, whatever the daylight-saving rules say that day) and are returned as
timezone-aware UTC datetimes. Everything here is pure: to move a start date, plan again with
the new date; which rows to move (e.g. only pending ones) is the caller's decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.company_settings import WEEKDAYS
from onboarding.sequence import Sequence, Step

DELIVERY_HOUR = 9  # steps, reminders and escalations arrive at 09:00 local time
DUE_HOUR = 17  # and fall due at the end of the working day


def zone(tz: str) -> ZoneInfo:
    """The IANA time zone called ``tz``; ValueError if there is none."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"unknown time zone {tz!r}; use an IANA name such as 'Europe/Berlin'"
        ) from None


# A company's working days as it stores them (``Company.working_days``).
DEFAULT_WORKING_DAYS = "mon,tue,wed,thu,fri"


def weekdays(working_days: str) -> frozenset[int]:
    """``"sun,mon,tue"`` as ``date.weekday()`` numbers; ValueError if it names no working day
    or something that is not a day of the week."""
    names = [name.strip() for name in working_days.split(",") if name.strip()]
    unknown = [name for name in names if name not in WEEKDAYS]
    if not names or unknown:
        raise ValueError(f"working days must be some of {', '.join(WEEKDAYS)}: {working_days!r}")
    return frozenset(WEEKDAYS.index(name) for name in names)


def local_time(
    start_date: date,
    offset_days: int,
    tz: str | ZoneInfo,
    hour: int = DELIVERY_HOUR,
    working_days_only: bool = False,
    working_days: str | frozenset[int] = DEFAULT_WORKING_DAYS,
) -> datetime:
    """``hour``:00 wall-clock time in ``tz`` on ``start_date + offset_days``, in UTC; with
    ``working_days_only`` a day off becomes the next of ``working_days`` (Monday to Friday
    unless told otherwise)."""
    where = tz if isinstance(tz, ZoneInfo) else zone(tz)
    day = start_date + timedelta(days=offset_days)
    if working_days_only:
        days = working_days if isinstance(working_days, frozenset) else weekdays(working_days)
        while day.weekday() not in days:  # at most six steps: ``days`` is never empty
            day += timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=where).astimezone(UTC)


@dataclass(frozen=True)
class PlannedStep:
    step_key: str
    deliver_at: datetime
    due_at: datetime
    remind_at: datetime | None
    escalate_at: datetime | None


def plan_step(
    step: Step,
    start_date: date,
    tz: str | ZoneInfo,
    working_days_only: bool = False,
    working_days: str | frozenset[int] = DEFAULT_WORKING_DAYS,
) -> PlannedStep:
    """Due, reminder and escalation days count from the day the step arrives: with working
    days only, that is the day it was moved to. (Counted from its nominal day, a step moved
    from Saturday to Monday had its two-day reminder on Monday too, sent with the step.)"""
    where = tz if isinstance(tz, ZoneInfo) else zone(tz)
    days_on = working_days if isinstance(working_days, frozenset) else weekdays(working_days)

    def at(days: int, hour: int = DELIVERY_HOUR) -> datetime:
        return local_time(start_date, days, where, hour, working_days_only, days_on)

    deliver_at = at(step.offset_days)
    arrives = (deliver_at.astimezone(where).date() - start_date).days

    def after(days: int | None) -> datetime | None:
        return None if days is None else at(arrives + days)

    return PlannedStep(
        step_key=step.key,
        deliver_at=deliver_at,
        due_at=at(arrives + step.due_days, DUE_HOUR),
        remind_at=after(step.reminder_after_days),
        escalate_at=after(step.escalate_after_days),
    )


def plan(
    sequence: Sequence,
    start_date: date,
    tz: str,
    working_days: str = DEFAULT_WORKING_DAYS,
) -> tuple[PlannedStep, ...]:
    """Every step's times, in sequence order; with the sequence's ``working_days_only``, times
    that fall on a day off move to the company's next working day (``working_days``, stored
    as ``"mon,tue,wed,thu,fri"``).

    Times are nominal: a step with ``after`` still waits for that step to be completed; this
    says only when it is due to arrive. A new start date gives new times by planning again.
    """
    where = zone(tz)
    days_on = weekdays(working_days)
    return tuple(
        plan_step(step, start_date, where, sequence.working_days_only, days_on)
        for step in sequence.steps
    )
