"""Calendar files (RFC 5545, written by ``icalendar``) for onboarding: a meeting step for the
hire's or the manager's calendar, and a manager's whole plan for one hire (the start date and
the steps the manager takes part in).

UIDs are stable per step and per hire, so importing a file again updates the events instead
of adding copies. Descriptions say what the event is, never the hire's email address.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText

from onboarding.models import Enrollment, StepInstance
from onboarding.sequence import Sequence

PRODID = "-//onramp//onboarding//EN"
DEFAULT_MEETING_MINUTES = 60
TASK_MINUTES = 30  # a manager's task sits in their calendar as a half-hour reminder


@dataclass(frozen=True)
class Person:
    name: str
    email: str


def _address(person: Person, role: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(person.name)
    if role != "organizer":
        address.params["role"] = vText("REQ-PARTICIPANT")
    return address


def _calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method is not None:
        calendar.add("method", method)
    return calendar


def _step_event(
    step: StepInstance,
    sequence: Sequence,
    enrollment: Enrollment,
    stamp: datetime,
    organizer: Person | None,
    attendees: Iterable[Person],
) -> Event:
    definition = sequence.steps_by_key.get(step.step_key)
    if definition is not None and definition.meeting is not None:
        minutes = definition.meeting.duration_minutes
    else:
        minutes = DEFAULT_MEETING_MINUTES if step.kind == "meeting" else TASK_MINUTES
    event = Event()
    event.add("uid", f"step-{step.id}@onramp")
    event.add("summary", step.title)
    event.add("dtstart", step.deliver_at)
    event.add("dtend", step.deliver_at + timedelta(minutes=minutes))
    event.add("dtstamp", stamp)
    event.add("description", f"Onboarding step for a new {enrollment.role}.")
    if organizer is not None:
        event.add("organizer", _address(organizer, "organizer"))
    for person in attendees:
        event.add("attendee", _address(person, "attendee"))
    return event


def meeting_invite(
    step: StepInstance,
    sequence: Sequence,
    enrollment: Enrollment,
    stamp: datetime,
    organizer: Person | None = None,
    attendees: Iterable[Person] = (),
    method: str | None = None,
) -> str:
    """One step as an event: the manager organises, the hire and the manager attend.

    ``method="REQUEST"`` for an emailed invite (RFC 5546), which mail clients offer to accept;
    none for a file downloaded and imported by hand."""
    calendar = _calendar(method)
    calendar.add_component(_step_event(step, sequence, enrollment, stamp, organizer, attendees))
    return calendar.to_ical().decode()


def involves_manager(step: StepInstance, sequence: Sequence) -> bool:
    """The manager's (or, until buddies have accounts, the buddy's) own steps, and the hire's
    meetings with the manager."""
    if step.audience != "new_hire":
        return True
    definition = sequence.steps_by_key.get(step.step_key)
    return bool(definition and definition.meeting and definition.meeting.with_ == "manager")


def manager_plan(
    enrollment: Enrollment,
    steps: Iterable[StepInstance],
    sequence: Sequence,
    stamp: datetime,
    manager: Person | None,
) -> str:
    """The hire's first day (all day) and every step the manager takes part in."""
    calendar = _calendar()
    first_day = Event()
    start = date.fromisoformat(enrollment.start_date)
    first_day.add("uid", f"enrollment-{enrollment.id}-start@onramp")
    first_day.add("summary", f"{enrollment.new_hire_name} starts as {enrollment.role}")
    first_day.add("dtstart", start)
    first_day.add("dtend", start + timedelta(days=1))
    first_day.add("dtstamp", stamp)
    first_day.add("transp", "TRANSPARENT")  # a marker, not a busy day
    calendar.add_component(first_day)
    for step in steps:
        if step.status == "completed" or not involves_manager(step, sequence):
            continue
        calendar.add_component(
            _step_event(
                step,
                sequence,
                enrollment,
                stamp,
                organizer=manager,
                attendees=[manager] if manager else [],
            )
        )
    return calendar.to_ical().decode()
