"""``make bench``: every row of issue 12 as a median ratio against a baseline from the same run.

    python -m bench [--sqlite] [--quick] [--server URL] [--only pipeline,latency,intake,scheduler]

On a fresh clone with nothing set up: it creates its own database (a fresh PostgreSQL database
on the server named by ``ONRAMP_BENCH_DATABASE_URL``, default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``, or a SQLite file with ``--sqlite``) and
drops it after, starts a private redis-server, a counting SMTP catcher, ``dramatiq`` worker
processes, the outbox relay and two gunicorn servers (onramp and a one-row Flask baseline),
measures, prints the table and writes ``bench/results.json``.

Subjects and baselines alternate (which goes first swaps each repetition), three repetitions,
medians. The machine is shared: compare ratios, not absolute numbers across runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import signal
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bench import report, steps
from bench.intake import Intake
from bench.minimal_app import metadata as bench_metadata
from bench.pipeline import Pipeline
from bench.report import Goal, Row, measure
from bench.services import Process, Services, TemporaryDatabase, memory_mb, settings_env, wait_http
from bench.worker import declare
from cli.up import free_port
from core import migrate
from core.clock import SystemClock
from core.db import Database
from core.deliveries import Delivery, DeliveryStatus
from core.settings import Settings
from screening.models import Application
from screening.seed import seed_demo
from workers.broker import build_broker
from workers.scheduler import Scheduler

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
WORKER_THREADS = 4


@dataclass(frozen=True)
class Sizes:
    pipeline: int
    noop: int
    latency_seconds: float
    flows: int
    final_submits: int
    big_steps: int


FULL = Sizes(
    pipeline=400, noop=4000, latency_seconds=10, flows=24, final_submits=40, big_steps=1_000_000
)
# Quick mode scales the scheduler's big table down to 200k steps (1M take ~30 s to create on
# this machine): the row's name says which sizes it compared.
QUICK = Sizes(
    pipeline=100, noop=1500, latency_seconds=3, flows=6, final_submits=16, big_steps=200_000
)
SMALL_STEPS = 10_000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file, not PostgreSQL")
    parser.add_argument("--quick", action="store_true", help="smaller runs (under 3 minutes)")
    parser.add_argument(
        "--server",
        default=os.environ.get("ONRAMP_BENCH_DATABASE_URL") or DEFAULT_SERVER,
        help="PostgreSQL server on which a fresh database is created",
    )
    parser.add_argument("--only", default="pipeline,latency,intake,scheduler")
    args = parser.parse_args(argv)
    if os.environ.get("QUICK") not in (None, "", "0"):
        args.quick = True
    sizes = QUICK if args.quick else FULL
    only = set(args.only.split(","))
    started = time.monotonic()
    # SIGTERM unwinds like Ctrl-C, so the finally below stops every child and drops databases.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench = Bench(None if args.sqlite else args.server, sizes)
    try:
        bench.start()
        rows = bench.run(only)
        rows.append(bench.worker_memory())
    finally:
        bench.close()
    meta = bench.meta(args.quick, time.monotonic() - started)
    print()
    print(" · ".join(f"{k}: {v}" for k, v in meta.items()))
    print(report.table(rows))
    report.write(rows, meta)
    print(f"\nwritten to {report.RESULTS}")
    # The logs (and Redis's files) stay only when a run fails, for its post-mortem.
    shutil.rmtree(bench.services.workdir, ignore_errors=True)


class Bench:
    def __init__(self, server: str | None, sizes: Sizes) -> None:
        self.server = server
        self.sizes = sizes
        self.services = Services()
        self.databases: list[TemporaryDatabase] = []
        self.processes = os.cpu_count() or 2
        self.idle_worker_mb = 0.0

    # --- the stack ---------------------------------------------------------------------------

    def start(self) -> None:
        if self.server is not None:
            _require_server(self.server)
        self.services.start()
        url = self._database("main")
        self.db = Database(url)
        bench_metadata.create_all(self.db.engine)
        self.settings = Settings(
            database_url=url,
            redis_url=self.services.redis_url,
            redis_namespace=f"bench-{secrets.token_hex(3)}",
            smtp_port=self.services.smtp_port,
            base_url="http://127.0.0.1",
        )
        with self.db.unit_of_work() as session:
            self.slug = seed_demo(session, SystemClock()).opening_slug
        self.broker = declare(build_broker(self.settings))
        env = settings_env(self.settings)
        python = sys.executable
        self.worker = self.services.spawn(
            "worker",
            [
                python,
                "-m",
                "dramatiq",
                "bench.worker:setup_broker",
                "--processes",
                str(self.processes),
                "--threads",
                str(WORKER_THREADS),
            ],
            env,
        )
        self.relay = self.services.spawn("relay", [python, "-m", "cli", "relay"], env)
        self.web_port, self.minimal_port = free_port(), free_port()
        for name, app, port in (
            ("web", "web:create_app()", self.web_port),
            ("minimal", "bench.minimal_app:create_app()", self.minimal_port),
        ):
            self.services.spawn(
                name,
                [
                    python,
                    "-m",
                    "gunicorn",
                    app,
                    # The same settings for both, onramp's garbage-collector hook included.
                    "--config",
                    "python:web.gunicorn_hooks",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(self.processes),
                    "--worker-class",
                    "sync",
                    "--log-level",
                    "warning",
                ],
                env,
            )
        wait_http(f"http://127.0.0.1:{self.web_port}/healthz")
        wait_http(f"http://127.0.0.1:{self.minimal_port}/")
        database_name = url.rsplit("/", 1)[-1]
        cpu_groups = {
            "workers": "bench.worker:setup_broker",
            # PostgreSQL backends show their database in their process title.
            "database": f" {database_name} " if self.server else "(SQLite runs in the workers)",
            "relay": "-m cli relay",
            "redis": f"redis-server 127.0.0.1:{self.services.redis_port}",
            "smtp catcher": "bench.catcher",
        }
        self.pipeline = Pipeline(self.db, self.broker, self.slug, cpu_groups)
        print(f"services up in {self.services.workdir}; warming up", flush=True)
        self.pipeline.noop_per_second(200)
        time.sleep(1)
        self.idle_worker_mb = max(memory_mb(p, "VmRSS") for p in self.worker.worker_pids())
        self.pipeline.applications_per_second(20)

    def _database(self, label: str) -> str:
        database = TemporaryDatabase(self.server, self.services.workdir, label)
        self.databases.append(database)
        url = database.create()
        migrate.upgrade(url)
        return url

    def close(self) -> None:
        self.sent_mail = self._sent()
        self.caught_mail = self.services.mail_count() if self.services.children else 0
        self.services.close()
        for database in self.databases:
            database.drop()

    def _sent(self) -> int:
        if not hasattr(self, "db"):
            return 0
        with self.db.unit_of_work() as session:
            sent = session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.status == DeliveryStatus.SENT)
            )
        self.db.dispose()
        return sent or 0

    # --- the rows ----------------------------------------------------------------------------

    def run(self, only: set[str]) -> list[Row]:
        rows: list[Row] = []
        sizes = self.sizes
        if "pipeline" in only:
            print("pipeline throughput", flush=True)
            rows.append(
                measure(
                    "pipeline: applications/s ÷ no-op messages/s",
                    "/s",
                    [Goal("ratio", ">=", 0.25)],
                    lambda: self.pipeline.applications_per_second(sizes.pipeline),
                    lambda: self.pipeline.noop_per_second(sizes.noop),
                )
            )
        if "latency" in only:
            for rate, bound in ((20, 300), (50, 1000)):
                print(f"submit → packet ready at {rate}/s", flush=True)
                rows.append(
                    measure(
                        f"p95 submit → packet ready at {rate}/s",
                        "ms",
                        [Goal("value", "<=", bound)],
                        lambda r=rate: self.pipeline.packet_latency_p95_ms(
                            r, sizes.latency_seconds
                        ),
                        lambda r=rate: self.pipeline.stamp_latency_p95_ms(r, sizes.latency_seconds),
                    )
                )
        if "intake" in only:
            rows += self._intake()
        if "scheduler" in only:
            rows.append(self._scheduler())
        return rows

    def _intake(self) -> list[Row]:
        """The web alone: the relay stops meanwhile, so no scoring competes for the cores."""
        self.services.stop(self.relay)
        intake = Intake(
            f"http://127.0.0.1:{self.web_port}",
            f"http://127.0.0.1:{self.minimal_port}",
            self.slug,
            pages=7,
        )
        made = [0]

        def flows() -> float:
            rate, made[0] = intake.flow_requests_per_second(self.sizes.flows)
            return rate

        print("intake: whole candidate flow", flush=True)
        whole = measure(
            "intake: whole candidate flow, per request",
            "req/s",
            [Goal("ratio", ">=", 0.6)],
            flows,
            lambda: intake.minimal_requests_per_second(made[0] or 17 * self.sizes.flows),
        )
        print("intake: final submit", flush=True)
        final = measure(
            "intake: final submit",
            "req/s",
            [Goal("ratio", ">=", 0.5)],
            lambda: intake.final_submits_per_second(
                intake.prepare_final_submits(self.sizes.final_submits)
            ),
            lambda: intake.minimal_requests_per_second(self.sizes.final_submits),
        )
        env = settings_env(self.settings)
        self.relay = self.services.spawn("relay", [sys.executable, "-m", "cli", "relay"], env)
        self._wait_scored()
        return [whole, final]

    def _wait_scored(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.db.unit_of_work() as session:
                waiting = session.scalar(
                    select(func.count()).where(Application.status == "submitted")
                )
            if not waiting:
                return
            time.sleep(0.2)

    def _scheduler(self) -> Row:
        big = self.sizes.big_steps
        print(f"scheduler: populating {SMALL_STEPS:,} and {big:,} steps", flush=True)
        small_db, big_db = Database(self._database("steps_small")), Database(self._database("big"))
        for database, total in ((small_db, SMALL_STEPS), (big_db, big)):
            began = time.perf_counter()
            steps.populate(database, total)
            print(f"  {total:,} steps in {time.perf_counter() - began:.1f}s", flush=True)
        namespace = f"{self.settings.redis_namespace}-scheduler"
        broker = build_broker(self.settings.model_copy(update={"redis_namespace": namespace}))
        redis = self.services.redis()

        def tick(database: Database) -> float:
            for key in redis.scan_iter(match=f"{broker.namespace}*", count=1000):
                redis.delete(key)
            scheduler = Scheduler(database, broker, SystemClock())
            began = time.perf_counter()
            result = scheduler.tick()
            elapsed = time.perf_counter() - began
            due = result.delivered + result.reminded + result.escalated
            assert due == steps.DUE, result
            return elapsed * 1000 / (due / 1000)

        tick(small_db), tick(big_db)  # warm both caches and connection pools
        row = measure(
            f"scheduler tick per 1,000 due: {big:,} vs {SMALL_STEPS:,} steps",
            "ms",
            [Goal("value", "<=", 50), Goal("ratio", "<=", 1.2)],
            lambda: tick(big_db),
            lambda: tick(small_db),
        )
        redis.close()
        broker.close()
        small_db.dispose()
        big_db.dispose()
        return row

    def worker_memory(self) -> Row:
        """Peak RSS of the busiest worker process over the whole run, against its idle RSS
        just after start-up (one measurement: it is a peak, not a rate)."""
        peak = max(memory_mb(pid, "VmHWM") for pid in self.worker.worker_pids())
        web = next(p for p in self.services.children if p.name == "web")
        web_peak = max(memory_mb(pid, "VmHWM") for pid in web.worker_pids())
        print(f"  web worker peak RSS {web_peak:.0f} MB", flush=True)
        self.web_peak_mb = web_peak
        goal = Goal("value", "<=", 150)
        return Row(
            "worker peak RSS (vs idle after start)",
            "MB",
            peak,
            self.idle_worker_mb,
            peak / self.idle_worker_mb if self.idle_worker_mb else 0,
            str(goal),
            goal.met(peak, 0),
            [(peak, self.idle_worker_mb)],
        )

    def meta(self, quick: bool, seconds: float) -> dict[str, object]:
        return {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "database": "sqlite" if self.server is None else self._postgres_version(),
            "machine": machine(),
            "workers": f"{self.processes} processes × {WORKER_THREADS} threads",
            "gunicorn": f"{self.processes} sync workers",
            "web worker peak RSS MB": round(getattr(self, "web_peak_mb", 0)),
            "emails sent/caught": f"{self.sent_mail}/{self.caught_mail}",
            "CPU ms per application": _medians(getattr(self, "pipeline", None), "application"),
            "CPU ms per no-op message": _medians(getattr(self, "pipeline", None), "noop"),
            "quick": quick,
            "seconds": round(seconds),
        }

    def _postgres_version(self) -> str:
        database = Database(self.server or DEFAULT_SERVER)
        with database.engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar()
        database.dispose()
        return f"PostgreSQL {version}"


def _require_server(server: str) -> None:
    try:
        engine = create_engine(server)
        with engine.connect():
            pass
        engine.dispose()
    except OperationalError:
        raise SystemExit(
            f"no PostgreSQL answers at {make_url(server).render_as_string()}: set "
            "ONRAMP_BENCH_DATABASE_URL to a server the benchmark may create databases on, "
            "or run `make bench SQLITE=1`"
        ) from None


def _medians(pipeline: Pipeline | None, kind: str) -> dict[str, float]:
    runs = [] if pipeline is None else getattr(pipeline, f"cpu_per_{kind}")
    groups = {group for run in runs for group in run}
    return {
        group: round(statistics.median(run.get(group, 0.0) for run in runs), 2)
        for group in sorted(groups)
    }


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{model}, {os.cpu_count()} cores, {memory:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


__all__ = ["Process", "main"]
