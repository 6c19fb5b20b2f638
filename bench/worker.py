"""The broker the benchmark's ``dramatiq`` workers run: onramp's, plus two baseline actors on
a queue of their own (``dramatiq bench.worker:setup_broker``)."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import update

from bench.minimal_app import bench_row
from core.settings import Settings
from workers import broker as onramp_broker
from workers import runtime

QUEUE = "bench"


def noop(number: int) -> None:
    """The throughput baseline: a message that does nothing."""


def stamp(row_id: int) -> None:
    """The latency baseline: one conditional UPDATE, like an actor's claim."""
    rt = runtime.current()
    with rt.db.unit_of_work() as session:
        session.execute(
            update(bench_row)
            .where(bench_row.c.id == row_id, bench_row.c.done_at.is_(None))
            .values(done_at=rt.clock.now())
        )


def declare(broker: RedisBroker) -> RedisBroker:
    for fn in (noop, stamp):
        dramatiq.actor(fn, actor_name=f"bench_{fn.__name__}", queue_name=QUEUE, broker=broker)
    return broker


def setup_broker(settings: Settings | None = None) -> RedisBroker:
    return declare(onramp_broker.setup_broker(settings))
