"""The onboarding scheduler: every few seconds, find due work and enqueue it.

Finding is cheap and safe to repeat: each actor claims its row with a conditional UPDATE, so
running two schedulers (or a tick that overlaps a slow one) never delivers anything twice.
APScheduler owns the timing loop (interval trigger, no overlapping runs, missed runs merged).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from dramatiq import Broker
from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError

from core.clock import Clock
from core.db import Database
from onboarding import enrollments

log = logging.getLogger(__name__)

TICK_SECONDS = 3.0
BATCH = 500


@dataclass(frozen=True)
class TickResult:
    delivered: int
    reminded: int
    escalated: int


class Scheduler:
    def __init__(self, db: Database, broker: Broker, clock: Clock, batch: int = BATCH) -> None:
        self.db = db
        self.broker = broker
        self.clock = clock
        self.batch = batch

    def tick(self) -> TickResult:
        """Enqueue one batch of each kind of due work; returns how many were enqueued."""
        now = self.clock.now()
        with self.db.unit_of_work() as session:
            deliveries = enrollments.due_deliveries(session, now, self.batch)
            reminders = enrollments.due_reminders(session, now, self.batch)
            escalations = enrollments.due_escalations(session, now, self.batch)
        self._enqueue("deliver_step", deliveries)
        self._enqueue("remind_step", reminders)
        self._enqueue("escalate_step", escalations)
        return TickResult(len(deliveries), len(reminders), len(escalations))

    def _enqueue(self, actor_name: str, step_ids: list[int]) -> None:
        actor = self.broker.get_actor(actor_name)
        for step_id in step_ids:
            self.broker.enqueue(actor.message_with_options(kwargs={"step_id": step_id}))

    def safe_tick(self) -> None:
        try:
            result = self.tick()
        except (RedisError, OperationalError) as exc:
            log.warning("tick failed; due steps wait for the next one: %s", exc)
            return
        if result.delivered or result.reminded or result.escalated:
            log.info("tick enqueued work", extra=result.__dict__)

    def run(self, seconds: float = TICK_SECONDS, jobs: Sequence[PeriodicJob] = ()) -> None:
        """Block, ticking every ``seconds`` and running ``jobs`` (the reconciler, the retention
        purge) on their own intervals, until SIGINT/SIGTERM (SystemExit)."""
        scheduler = BlockingScheduler()
        scheduler.add_job(
            self.safe_tick,
            "interval",
            seconds=seconds,
            max_instances=1,
            coalesce=True,
            id="onboarding-tick",
        )
        for job in jobs:
            scheduler.add_job(
                _survivable(job.name, job.run),
                "interval",
                seconds=job.every_seconds,
                max_instances=1,
                coalesce=True,
                id=job.name,
                next_run_time=datetime.now(UTC),  # once at start-up too: recover at once
            )
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            scheduler.shutdown(wait=False)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: float
    run: Callable[[], object]


def _survivable(name: str, run: Callable[[], object]) -> Callable[[], None]:
    """A job that outlives Redis or the database going away: the next run tries again."""

    def job() -> None:
        try:
            run()
        except (RedisError, OperationalError) as exc:
            log.warning("%s failed; it runs again at its next interval: %s", name, exc)

    return job
