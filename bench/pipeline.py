"""Pipeline throughput and submit → packet latency, each against a no-op baseline on the same
Redis, broker settings and worker processes."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import func, insert, select

from bench import workload
from bench.cpu import cpu_seconds, per_item_ms
from bench.minimal_app import bench_row
from core.clock import SystemClock
from core.db import Database
from core.deliveries import Delivery, DeliveryStatus
from screening import applications
from screening.models import Application, Packet
from workers.enqueueing import enqueue_all

POLL_SECONDS = 0.02


@dataclass
class Pipeline:
    db: Database
    broker: RedisBroker
    slug: str
    cpu_groups: dict[str, str] = field(default_factory=dict)
    timeout: float = 300
    # CPU milliseconds per application / per no-op message, by process group, for each run.
    cpu_per_application: list[dict[str, float]] = field(default_factory=list)
    cpu_per_noop: list[dict[str, float]] = field(default_factory=list)

    def applications_per_second(self, n: int) -> float:
        """Submitted applications (events released at once) until each is scored, has its
        packet and every panel member's email is accepted by the SMTP catcher."""
        prepared = workload.prepare(self.db, SystemClock(), self.slug, n, submit=True)
        low, high = min(prepared.application_ids), max(prepared.application_ids)
        cpu = cpu_seconds(self.cpu_groups)
        started = time.perf_counter()
        workload.release(self.db, prepared.held_event_ids)
        self._wait(lambda: self._packets(low, high) == n and self._pending() == 0)
        elapsed = time.perf_counter() - started
        self.cpu_per_application.append(per_item_ms(cpu, cpu_seconds(self.cpu_groups), n))
        return n / elapsed

    def noop_per_second(self, n: int) -> float:
        actor = self.broker.get_actor("bench_noop")
        messages = [actor.message_with_options(args=(i,)) for i in range(n)]
        cpu = cpu_seconds(self.cpu_groups)
        started = time.perf_counter()
        enqueue_all(self.broker, messages)
        self._wait(lambda: self.broker.do_qsize("bench") == 0)
        elapsed = time.perf_counter() - started
        self.cpu_per_noop.append(per_item_ms(cpu, cpu_seconds(self.cpu_groups), n))
        return n / elapsed

    def packet_latency_p95_ms(self, rate: float, seconds: float) -> float:
        """Submissions at ``rate`` per second; p95 of submitted_at → packet built_at."""
        n = max(1, round(rate * seconds))
        prepared = workload.prepare(self.db, SystemClock(), self.slug, n, submit=False)
        ids = prepared.application_ids

        def submit(application_id: int) -> None:
            clock = SystemClock()
            with self.db.unit_of_work() as session:
                application = session.get_one(Application, application_id)
                applications.submit_application(session, clock, application)

        self._at_rate(rate, [lambda i=i: submit(i) for i in ids])
        low, high = min(ids), max(ids)
        self._wait(lambda: self._packets(low, high) == n)
        with self.db.unit_of_work() as session:
            rows = session.execute(
                select(Application.submitted_at, Packet.built_at)
                .join(Packet, Packet.application_id == Application.id)
                .where(Application.id.between(low, high))
            ).all()
        return p95([(built - submitted).total_seconds() * 1000 for submitted, built in rows])

    def stamp_latency_p95_ms(self, rate: float, seconds: float) -> float:
        """The floor under the latency: insert a row, send a message, the worker stamps it."""
        n = max(1, round(rate * seconds))
        actor = self.broker.get_actor("bench_stamp")
        row_ids: list[int] = []

        def insert_and_send() -> None:
            clock = SystemClock()
            with self.db.unit_of_work() as session:
                row_id = session.scalar(
                    insert(bench_row).values(created_at=clock.now()).returning(bench_row.c.id)
                )
            row_ids.append(row_id)
            actor.send(row_id)

        self._at_rate(rate, [insert_and_send] * n)
        self._wait(lambda: self._stamped(row_ids) == n)
        with self.db.unit_of_work() as session:
            rows = session.execute(
                select(bench_row.c.created_at, bench_row.c.done_at).where(
                    bench_row.c.id.in_(row_ids)
                )
            ).all()
        return p95([(done - created).total_seconds() * 1000 for created, done in rows])

    # --- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _at_rate(rate: float, jobs: list) -> None:  # type: ignore[type-arg]
        """Open loop: job i starts at i / rate seconds whatever earlier ones are doing."""
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = []
            for number, job in enumerate(jobs):
                delay = start + number / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                futures.append(pool.submit(job))
            for future in futures:
                future.result()

    def _wait(self, done: object) -> None:
        deadline = time.monotonic() + self.timeout
        while not done():  # type: ignore[operator]
            if time.monotonic() > deadline:
                raise TimeoutError("the pipeline did not finish in time; see the worker log")
            time.sleep(POLL_SECONDS)

    def _packets(self, low: int, high: int) -> int:
        with self.db.unit_of_work() as session:
            return (
                session.scalar(select(func.count()).where(Packet.application_id.between(low, high)))
                or 0
            )

    def _pending(self) -> int:
        with self.db.unit_of_work() as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(Delivery)
                    .where(Delivery.status == DeliveryStatus.PENDING)
                )
                or 0
            )

    def _stamped(self, row_ids: list[int]) -> int:
        with self.db.unit_of_work() as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(bench_row)
                    .where(bench_row.c.id.in_(row_ids), bench_row.c.done_at.is_not(None))
                )
                or 0
            )


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
