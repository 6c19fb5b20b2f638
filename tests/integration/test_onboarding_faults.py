"""A Dramatiq worker process killed with SIGKILL mid-batch loses nothing and doubles nothing."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import dramatiq
import pytest
from sqlalchemy import func, select

from core.clock import SystemClock
from core.db import Database
from core.settings import Settings
from onboarding import enrollments
from onboarding.models import StepInstance
from onboarding.sequence import DEFAULT_SEQUENCE, load_sequence
from tests.conftest import CaughtMail
from tests.services import PrivateRedis
from workers.broker import build_broker
from workers.scheduler import Scheduler

HIRES = 20


def _enroll_past_hires(db: Database) -> list[int]:
    """Hires who started 100 days ago: every step without a dependency is due at once."""
    sequence, clock, ids = load_sequence(DEFAULT_SEQUENCE), SystemClock(), []
    with db.unit_of_work() as session:
        for _ in range(HIRES):
            application_id = random.randint(10**8, 2**31 - 1)
            hire = enrollments.Hire(
                application_id,
                1,
                "Advisor",
                date.today() - timedelta(days=100),
                "Kim Killtest",
                f"kim-{application_id}@example.com",
                None,
                "UTC",
            )
            ids.append(enrollments.enroll(session, clock, hire, sequence).id)
    return ids


def _steps(db: Database, enrollment_ids: list[int]) -> list[StepInstance]:
    with db.unit_of_work() as session:
        return list(
            session.scalars(
                select(StepInstance).where(StepInstance.enrollment_id.in_(enrollment_ids))
            )
        )


def _delivered(db: Database, enrollment_ids: list[int]) -> int:
    with db.unit_of_work() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(StepInstance)
                .where(
                    StepInstance.enrollment_id.in_(enrollment_ids),
                    StepInstance.status == "delivered",
                )
            )
            or 0
        )


@pytest.mark.slow
def test_a_worker_killed_mid_batch_delivers_every_step_exactly_once(
    db: Database,
    settings: Settings,
    private_redis: PrivateRedis,
    mail_server: CaughtMail,
    broker: dramatiq.Broker,  # installs the worker runtime used by the in-process worker
) -> None:
    private = settings.model_copy(update={"redis_url": private_redis.url})
    own_broker = build_broker(private)
    enrollment_ids = _enroll_past_hires(db)
    scheduler = Scheduler(db, own_broker, SystemClock())
    due = scheduler.tick().delivered
    assert due >= HIRES * 10

    env = {
        **os.environ,
        "ONRAMP_DATABASE_URL": settings.database_url,
        "ONRAMP_REDIS_URL": private.redis_url,
        "ONRAMP_REDIS_NAMESPACE": private.redis_namespace,
        "ONRAMP_SMTP_PORT": str(settings.smtp_port),
        "ONRAMP_SECRET_KEY": settings.secret_key,
    }
    doomed = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dramatiq",
            "workers.broker:setup_broker",
            "--processes",
            "1",
            "--threads",
            "2",
            "--queues",
            "onboarding",
        ],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while _delivered(db, enrollment_ids) < 10:
            assert time.monotonic() < deadline, "the worker process never started delivering"
            time.sleep(0.05)
    finally:
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait()
    assert _delivered(db, enrollment_ids) < due, "killed too late to test anything"

    worker = dramatiq.Worker(own_broker, worker_timeout=100, worker_threads=4)
    worker.start()
    try:
        # Messages the dead process had taken stay unacknowledged in Redis until its heartbeat
        # expires; the scheduler does not wait for that: it finds the still-pending steps again.
        deadline = time.monotonic() + 60
        while _delivered(db, enrollment_ids) < due:
            assert time.monotonic() < deadline, "steps were lost with the killed worker"
            scheduler.tick()
            time.sleep(0.5)
        worker.join()  # let in-flight emails finish; the dead process's leftovers are no-ops
    finally:
        worker.stop()
        own_broker.close()

    steps = [s for s in _steps(db, enrollment_ids) if s.after_key is None]
    assert len(steps) == due
    assert all(step.status == "delivered" for step in steps)
    assert all(step.attempts == 1 for step in steps), "a step was claimed twice"
    ids = [m["Message-ID"] for m in mail_server.messages]
    assert all(ids.count(f"<step-{step.id}-new@onramp>") <= 1 for step in steps)
