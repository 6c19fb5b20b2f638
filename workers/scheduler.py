"""The onboarding scheduler: every few seconds, find due work and enqueue it.

Finding is cheap and safe to repeat: each actor claims its row with a conditional UPDATE, so
running two schedulers (or a tick that overlaps a slow one) never delivers anything twice.
APScheduler owns the timing loop (interval trigger, no overlapping runs, missed runs merged).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from dramatiq import Broker
from dramatiq.brokers.redis import RedisBroker
from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError

from core.clock import Clock
from core.db import Database
from onboarding import enrollments
from workers.enqueueing import enqueue_all

log = logging.getLogger(__name__)

TICK_SECONDS = 3.0
BATCH = 500
# A step enqueued less than this long ago is not enqueued again: its message is waiting in the
# queue (a backlog) or in a worker's hands. Past it, the message is presumed lost with a worker
# that died holding it, and the step goes out again (its claim still makes that harmless).
REQUEUE_AFTER_SECONDS = 30

# Marks in a sorted set per actor: member = step id, score = when the mark expires. Returns
# the ids that had no live mark (and marks them); drops expired marks on the way.
MARK_SCRIPT = """
local now, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local fresh = {}
for i = 3, #ARGV do
    if redis.call('ZADD', KEYS[1], 'NX', now + ttl, ARGV[i]) == 1 then
        fresh[#fresh + 1] = ARGV[i]
    end
end
redis.call('EXPIRE', KEYS[1], ttl + 1)
return fresh
"""


@dataclass(frozen=True)
class TickResult:
    """How many messages a tick enqueued (due work that no recent tick had enqueued)."""

    delivered: int
    reminded: int
    escalated: int


class Scheduler:
    def __init__(
        self,
        db: Database,
        broker: Broker,
        clock: Clock,
        batch: int = BATCH,
        requeue_after_seconds: int = REQUEUE_AFTER_SECONDS,
    ) -> None:
        self.db = db
        self.broker = broker
        self.clock = clock
        self.batch = batch
        self.requeue_after_seconds = requeue_after_seconds

    def tick(self) -> TickResult:
        """Enqueue one batch of each kind of due work; returns how many were enqueued."""
        now = self.clock.now()
        with self.db.unit_of_work() as session:
            due = {
                "deliver_step": enrollments.due_deliveries(session, now, self.batch),
                "remind_step": enrollments.due_reminders(session, now, self.batch),
                "escalate_step": enrollments.due_escalations(session, now, self.batch),
            }
        fresh = self._not_recently_enqueued(due)
        enqueue_all(
            self.broker,
            [
                self.broker.get_actor(actor_name).message_with_options(kwargs={"step_id": step_id})
                for actor_name, step_ids in fresh.items()
                for step_id in step_ids
            ],
        )
        return TickResult(
            len(fresh["deliver_step"]), len(fresh["remind_step"]), len(fresh["escalate_step"])
        )

    def _not_recently_enqueued(self, due: dict[str, list[int]]) -> dict[str, list[int]]:
        """Keep the steps no tick (of any scheduler) has enqueued in the last
        ``requeue_after_seconds``, and mark them: one script call in the broker's Redis for
        every kind of work. The marks live with the messages: a Redis that loses its data
        loses both together."""
        if not isinstance(self.broker, RedisBroker) or not any(due.values()):
            return due
        mark = self.broker.client.register_script(MARK_SCRIPT)
        with self.broker.client.pipeline(transaction=False) as pipeline:
            for actor_name, step_ids in due.items():
                mark(
                    keys=[f"{self.broker.namespace}:enqueued:{actor_name}"],
                    args=[time.time(), self.requeue_after_seconds, *step_ids],
                    client=pipeline,
                )
            fresh = pipeline.execute()
        return {
            actor_name: [int(step_id) for step_id in marked]
            for actor_name, marked in zip(due, fresh, strict=True)
        }

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
