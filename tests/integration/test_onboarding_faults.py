"""A Dramatiq worker process killed with SIGKILL mid-batch loses nothing and doubles nothing."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from core.accounts import User
from core.clock import SystemClock
from core.db import Database
from core.deliveries import Delivery, DeliveryStatus, NoticeKind
from core.settings import Settings
from onboarding import enrollments
from onboarding.models import StepInstance
from onboarding.sequence import DEFAULT_SEQUENCE, load_sequence
from screening.models import Opening
from tests.conftest import CaughtMail
from tests.services import (
    PrivateRedis,
    PrivateStack,
    assert_each_sent_once,
    fault_settings,
    held_by_workers,
)

HIRES = 20
DEADLINE_SECONDS = 120


@pytest.fixture
def stack(
    settings: Settings, db: Database, private_redis: PrivateRedis, tmp_path: Path
) -> Iterator[PrivateStack]:
    private = PrivateStack(
        fault_settings(settings, private_redis.url), db, private_redis, tmp_path, schedule=True
    )
    yield private.start()
    private.stop()


def _enroll_hires_with_steps_due(db: Database, opening: Opening, manager: User) -> list[int]:
    """Hires starting in two months, whose steps without a dependency are then made due: each
    is delivered on its own by the scheduler (steps already due at enrollment would go out
    together in one catch-up digest instead)."""
    sequence, clock, ids = load_sequence(DEFAULT_SEQUENCE), SystemClock(), []
    with db.unit_of_work() as session:
        for _ in range(HIRES):
            application_id = random.randint(10**8, 2**31 - 1)
            hire = enrollments.Hire(
                application_id,
                opening.company_id,
                "Advisor",
                date.today() + timedelta(days=60),
                "Kim Killtest",
                f"kim-{application_id}@example.com",
                manager.id,
                "UTC",
            )
            enrollment = enrollments.enroll(session, clock, hire, sequence)
            assert enrollment is not None
            ids.append(enrollment.id)
        session.execute(
            update(StepInstance)
            .where(StepInstance.enrollment_id.in_(ids), StepInstance.after_key.is_(None))
            .values(deliver_at=clock.now() - timedelta(hours=1))
        )
    return ids


def _steps(db: Database, enrollment_ids: list[int]) -> list[StepInstance]:
    with db.unit_of_work() as session:
        return list(
            session.scalars(
                select(StepInstance).where(
                    StepInstance.enrollment_id.in_(enrollment_ids),
                    StepInstance.after_key.is_(None),
                )
            )
        )


def _notices(
    db: Database, steps: list[StepInstance], kind: NoticeKind = NoticeKind.STEP_READY
) -> list[Delivery]:
    with db.unit_of_work() as session:
        return list(
            session.scalars(
                select(Delivery).where(
                    Delivery.kind == kind,
                    Delivery.subject_id.in_([step.id for step in steps]),
                )
            )
        )


def _delivered(db: Database, enrollment_ids: list[int]) -> int:
    return sum(step.status == "delivered" for step in _steps(db, enrollment_ids))


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


@pytest.mark.slow
def test_a_worker_killed_mid_batch_delivers_every_step_exactly_once(
    db: Database,
    stack: PrivateStack,
    opening: Opening,
    make_user: Callable[..., User],
    mail_server: CaughtMail,
) -> None:
    enrollment_ids = _enroll_hires_with_steps_due(db, opening, make_user())
    due = len(_steps(db, enrollment_ids))
    assert due >= HIRES * 10

    doomed = stack.start_worker(threads=2)
    _wait_for(
        lambda: _delivered(db, enrollment_ids) >= 10, "the worker process never started delivering"
    )
    doomed.kill()
    in_flight = held_by_workers(db)
    assert _delivered(db, enrollment_ids) < due, "killed too late to test anything"

    # Messages the dead process had taken stay unacknowledged in Redis until its heartbeat
    # expires; the scheduler finds the still-pending steps again, and the reconciler the
    # notices the dead process claimed but never sent.
    stack.start_worker()

    def everything_sent() -> bool:
        steps = _steps(db, enrollment_ids)
        notices = _notices(db, steps) + _notices(db, steps, NoticeKind.MEETING_INVITE)
        meetings = sum(s.kind == "meeting" and s.audience == "new_hire" for s in steps)
        return len(notices) == due + meetings and all(
            d.status == DeliveryStatus.SENT for d in notices
        )

    _wait_for(everything_sent, "steps or their emails were lost with the killed worker")

    steps = _steps(db, enrollment_ids)
    assert all(step.status == "delivered" for step in steps)
    assert all(step.attempts == 1 for step in steps), "a step was claimed twice"
    notices = _notices(db, steps)
    assert Counter(d.subject_id for d in notices) == Counter(step.id for step in steps)
    # A hire's meeting also goes to the manager as an invite of its own, once.
    invites = _notices(db, steps, NoticeKind.MEETING_INVITE)
    meetings = [s.id for s in steps if s.kind == "meeting" and s.audience == "new_hire"]
    assert meetings and Counter(d.subject_id for d in invites) == Counter(meetings)
    wanted = {notice.message_id for notice in notices + invites}
    # Exactly once each, but for an email the dead worker held (sent, not yet stamped): SMTP
    # cannot tell us it arrived, so it goes again, under the same Message-ID.
    assert_each_sent_once(mail_server.messages, wanted, in_flight)
