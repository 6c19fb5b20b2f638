"""Benchmark: outbox relay and scoring throughput as ratios of a no-op Dramatiq drain.

Usage: python bench/submit_to_scored.py [--n 2000] [--database-url URL] [--threads 8]
Starts a private redis-server; uses a temporary SQLite file unless --database-url is given
(PostgreSQL: pass a fresh, empty database). Compare ratios from one run, never absolute numbers
across runs: the machine is shared (DESIGN.md §11).
"""

from __future__ import annotations

import argparse
import secrets
import subprocess
import tempfile
import time
from pathlib import Path

import dramatiq

from cli.up import free_port, redis_server_command, wait_for_port
from core import migrate
from core.clock import SystemClock
from core.db import Database
from core.settings import Settings
from screening import applications
from screening.definition import LikertItem, SjtItem, TextItem
from screening.seed import seed_demo
from workers.broker import setup_broker
from workers.relay import Relay

TEXT = "The customer was upset, so I called her back, apologised and fixed the order that day."


def answers_for(definition: applications.AssessmentDefinition) -> dict[str, object]:
    answers: dict[str, object] = {}
    for item in definition.items.values():
        if isinstance(item, SjtItem):
            answers[item.id] = {"most": item.best, "least": item.worst}
        elif isinstance(item, TextItem):
            answers[item.id] = TEXT.ljust(item.min_chars, ".")
        elif isinstance(item, LikertItem):
            answers[item.id] = 4
        else:
            answers[item.id] = item.expect or 4
    return answers


def submit(db: Database, n: int) -> float:
    clock = SystemClock()
    started = time.perf_counter()
    with db.unit_of_work() as session:
        ids = seed_demo(session, clock)
    for number in range(n):
        with db.unit_of_work() as session:
            opening = applications.open_opening(session, ids.opening_slug)
            definition = applications.definition_for(session, opening.assessment_version_id)
            application = applications.start_application(
                session, clock, opening, name="Bench", email="b@example.com", start_key=f"b{number}"
            )
            answers = answers_for(definition)
            for page in definition.pages:
                applications.save_page(
                    clock, application, page, {i.id: answers[i.id] for i in page.items}
                )
            applications.submit_application(session, clock, application)
    return n / (time.perf_counter() - started)


def drain(broker: dramatiq.Broker, threads: int, queue: str) -> float:
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=50)
    started = time.perf_counter()
    worker.start()
    broker.join(queue)
    worker.join()
    elapsed = time.perf_counter() - started
    worker.stop()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    migrate.upgrade(url)
    port = free_port()
    redis = subprocess.Popen(
        redis_server_command(port, Path(tempfile.mkdtemp())), stdout=subprocess.DEVNULL
    )
    wait_for_port(port)
    try:
        settings = Settings(
            database_url=url,
            redis_url=f"redis://127.0.0.1:{port}/0",
            secret_key=secrets.token_urlsafe(32),
        )
        db = Database(url)
        broker = setup_broker(settings, db)

        @dramatiq.actor(broker=broker, queue_name="noop")
        def noop(application_id: int) -> None:
            return None

        for number in range(args.n):
            noop.send(application_id=number)
        noop_rate = args.n / drain(broker, args.threads, "noop")

        submit_rate = submit(db, args.n)
        relay = Relay(db, broker, SystemClock(), settings.relay_batch_size)
        started = time.perf_counter()
        relay.drain()
        relay_rate = args.n / (time.perf_counter() - started)
        score_rate = args.n / drain(broker, args.threads, "screening")
    finally:
        redis.terminate()
        redis.wait()

    print(f"database: {db.dialect}, n={args.n}, worker threads={args.threads}")
    print(f"no-op drain            {noop_rate:8.0f} msg/s   1.00x (baseline)")
    print(f"relay outbox -> redis  {relay_rate:8.0f} evt/s   {relay_rate / noop_rate:.2f}x")
    print(f"score_application      {score_rate:8.0f} msg/s   {score_rate / noop_rate:.2f}x")
    print(f"domain submit (no HTTP){submit_rate:8.0f} app/s   {submit_rate / noop_rate:.2f}x")


if __name__ == "__main__":
    main()
