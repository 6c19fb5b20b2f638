"""A hire's plan at one moment: which steps count, which are ready, waiting on someone, coming
up or done, and which are overdue.

One definition of "a step that counts" for every page and email: the hire's own steps. The
manager's and buddy's steps are shown (so the hire knows what is coming) but never counted,
so "3 of 12 steps done" and "Done (3)" always agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from onboarding.models import StepInstance

HIRE = "new_hire"


def counts_toward_progress(step: StepInstance) -> bool:
    """A step counts when it is the hire's own."""
    return step.audience == HIRE


def is_overdue(step: StepInstance, now: datetime) -> bool:
    """Open past its due time."""
    return step.status == "delivered" and step.due_at < now


class StepState(StrEnum):
    READY = "ready"  # open, for the person looking at it
    WAITING = "waiting"  # its time has come, but it waits on someone else's step
    UPCOMING = "upcoming"  # its time has not come yet
    DONE = "done"


@dataclass(frozen=True)
class TimelineEntry:
    step: StepInstance
    state: StepState
    overdue: bool
    waiting_for: StepInstance | None = None  # the unfinished step it comes after
    arriving: bool = False  # upcoming, but its time has come: the scheduler delivers it soon

    @property
    def counts(self) -> bool:
        return counts_toward_progress(self.step)


@dataclass(frozen=True)
class Timeline:
    entries: tuple[TimelineEntry, ...]

    @property
    def counted(self) -> list[TimelineEntry]:
        return [entry for entry in self.entries if entry.counts]

    @property
    def done(self) -> int:
        return len(self.of(StepState.DONE))

    @property
    def total(self) -> int:
        return len(self.counted)

    @property
    def overdue(self) -> int:
        return sum(entry.overdue for entry in self.counted)

    def of(self, state: StepState) -> list[TimelineEntry]:
        """The hire's own steps in ``state``, in plan order."""
        return [entry for entry in self.counted if entry.state == state]

    @property
    def others(self) -> list[TimelineEntry]:
        """The manager's and buddy's steps, in plan order."""
        return [entry for entry in self.entries if not entry.counts]


def _state(step: StepInstance, after: StepInstance | None, now: datetime) -> StepState:
    if step.status == "completed":
        return StepState.DONE
    if step.status == "delivered":
        return StepState.READY if counts_toward_progress(step) else StepState.WAITING
    if not counts_toward_progress(step):
        return StepState.UPCOMING
    if after is not None and after.status != "completed" and step.deliver_at <= now:
        return StepState.WAITING
    return StepState.UPCOMING


def timeline(steps: Iterable[StepInstance], now: datetime) -> Timeline:
    """Every step of one hire, as :func:`onboarding.enrollments.steps_of` returns them."""
    steps = list(steps)
    by_key = {step.step_key: step for step in steps}
    entries = []
    for step in steps:
        after = by_key.get(step.after_key) if step.after_key else None
        state = _state(step, after, now)
        waits_on_after = state == StepState.WAITING and counts_toward_progress(step)
        entries.append(
            TimelineEntry(
                step=step,
                state=state,
                overdue=is_overdue(step, now),
                waiting_for=after if waits_on_after else None,
                arriving=state == StepState.UPCOMING and step.deliver_at <= now,
            )
        )
    return Timeline(tuple(entries))


def progress(steps: Iterable[StepInstance]) -> tuple[int, int]:
    """(done, total) of the steps that count."""
    mine = [step for step in steps if counts_toward_progress(step)]
    return sum(step.status == "completed" for step in mine), len(mine)
