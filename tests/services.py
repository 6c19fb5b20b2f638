"""Real services for the tests: a database per run, Redis (shared or private), and worker
processes a test may kill."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from cli.up import free_port, redis_server_command
from core.clock import SystemClock
from core.db import Database
from core.settings import Settings


def redis_answers(url: str) -> bool:
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=0.5) as client:
            return bool(client.ping())
    except redis.RedisError:
        return False


@dataclass
class PrivateRedis:
    """A redis-server owned by the test run: the only kind a test may stop or restart."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="onramp-redis-")))

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        # The same command `onramp up` uses, so the tests exercise what users run.
        self.process = subprocess.Popen(
            redis_server_command(self.port, self.workdir), stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while not redis_answers(self.url):
            if time.monotonic() > deadline:
                raise RuntimeError(f"private redis-server did not start on port {self.port}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a paused server cannot act on SIGTERM
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections stay open and every command hangs."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)

    def crash(self, lose_data: bool = False) -> None:
        """SIGKILL, as a power cut would; ``lose_data`` also removes whatever it persisted, so
        a restart comes back empty (the worst case: no AOF, or a lost disk)."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)
        self.process = None
        if lose_data:
            shutil.rmtree(self.workdir)
            self.workdir.mkdir()


def fault_settings(settings: Settings, redis_url: str) -> Settings:
    """A private stack's settings: its own Redis and namespace, and timeouts short enough that
    the reconciler re-drives within seconds whatever a fault left behind."""
    return settings.model_copy(
        update={
            "redis_url": redis_url,
            "redis_namespace": f"{settings.redis_namespace}-{uuid.uuid4().hex[:6]}",
            "reconcile_after_seconds": 2,
            "reconcile_every_seconds": 1,
            "delivery_claim_timeout_seconds": 5,
            "actor_time_limit_seconds": 4,
            "smtp_timeout_seconds": 2,
            "relay_idle_seconds": 0.1,
            "scheduler_tick_seconds": 1,
        }
    )


def settings_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment under which a child process (`dramatiq`, `python -m cli`) reads
    exactly ``settings``."""
    env = {**os.environ, **extra}
    for name, value in settings.model_dump().items():
        env[f"ONRAMP_{name.upper()}"] = str(value)
    return env


@dataclass
class WorkerProcess:
    """A real `dramatiq` worker, in a process group of its own so a test can SIGKILL it (and
    the children it forks) without touching anything else. Its output goes to ``log_path``."""

    env: dict[str, str]
    log_path: Path
    threads: int = 4
    queues: tuple[str, ...] = ()
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        args = [sys.executable, "-m", "dramatiq", "workers.broker:setup_broker"]
        args += ["--processes", "1", "--threads", str(self.threads)]
        if self.queues:
            args += ["--queues", *self.queues]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                args, env=self.env, start_new_session=True, stdout=log, stderr=log
            )
        return self

    def kill(self) -> None:
        """SIGKILL the whole group: no shutdown hooks, no acks, claims left held."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        """SIGTERM: Dramatiq finishes the messages in hand, then exits."""
        self._signal(signal.SIGTERM)

    def _signal(self, signum: int) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):  # the group outlives its leader
            os.killpg(self.process.pid, signum)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None


def held_by_workers(db: Database) -> frozenset[str]:
    """Message-IDs of the deliveries a worker holds right now (claimed, not yet stamped or
    released). Read just after a SIGKILL, these are the emails the dead worker may already
    have handed to the SMTP server without recording it: each may arrive a second time, under
    the same Message-ID. SMTP has no way to ask the server; nothing else may repeat."""
    from core.deliveries import Delivery, DeliveryStatus

    with db.unit_of_work() as session:
        held = session.scalars(
            select(Delivery).where(
                Delivery.status == DeliveryStatus.PENDING,
                Delivery.claimed_at.is_not(None),
                Delivery.last_error.is_(None),
            )
        )
        return frozenset(delivery.message_id for delivery in held)


def assert_each_sent_once(
    messages: Iterable[EmailMessage], wanted: set[str], in_flight: frozenset[str] = frozenset()
) -> None:
    """Each wanted Message-ID arrived exactly once; only one a killed worker held may have come
    a second time (see :func:`held_by_workers`)."""
    arrived = Counter(m["Message-ID"] for m in messages if m["Message-ID"] in wanted)
    missing = wanted - set(arrived)
    assert not missing, f"{len(missing)} email(s) never arrived, e.g. {sorted(missing)[:3]}"
    repeated = {message_id: n for message_id, n in arrived.items() if n > 1}
    assert all(n == 2 and message_id in in_flight for message_id, n in repeated.items()), (
        f"{len(repeated)} email(s) sent more than once: {repeated}"
    )


@dataclass
class PrivateStack:
    """What `onramp up` runs, owned by one test: a private Redis, `dramatiq` worker processes
    it may kill, and the outbox relay, the reconciler and (optionally) the onboarding
    scheduler as threads of the test process. ``settings`` name the private Redis and the
    short timeouts the faults need; the workers read them from their environment."""

    settings: Settings
    db: Database
    redis: PrivateRedis
    log_dir: Path  # the workers' output, one file each: pytest's tmp_path keeps it after a run
    schedule: bool = False
    workers: list[WorkerProcess] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _broker: Any = None

    def start(self) -> PrivateStack:
        from workers.broker import build_broker
        from workers.reconciler import Reconciler
        from workers.relay import Relay
        from workers.scheduler import Scheduler

        clock = SystemClock()
        self._broker = build_broker(self.settings)
        relay = Relay(self.db, self._broker, clock, self.settings.relay_batch_size)
        reconciler = Reconciler(self.db, self._broker, clock, self.settings)
        loops: dict[str, Callable[[], None]] = {
            "relay": lambda: relay.run(self._stop, self.settings.relay_idle_seconds),
            "reconciler": lambda: self._every(
                self.settings.reconcile_every_seconds, reconciler.run_once
            ),
        }
        if self.schedule:
            scheduler = Scheduler(self.db, self._broker, clock)
            loops["scheduler"] = lambda: self._every(
                self.settings.scheduler_tick_seconds, scheduler.tick
            )
        for name, loop in loops.items():
            thread = threading.Thread(target=self._guarded, args=(loop,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def start_worker(self, threads: int = 4) -> WorkerProcess:
        log_path = self.log_dir / f"worker-{len(self.workers) + 1}.log"
        worker = WorkerProcess(settings_env(self.settings), log_path, threads=threads).start()
        self.workers.append(worker)
        return worker

    def stop(self) -> None:
        """Stop the workers (gracefully), then the loops; raise what a loop died of."""
        for worker in self.workers:
            worker.stop()
        self._stop.set()
        for thread in self._threads:
            thread.join(30)
        if self._broker is not None:
            self._broker.close()
        if self.errors:
            raise RuntimeError(f"a stack loop died: {self.errors[0]!r}") from self.errors[0]

    def _every(self, seconds: float, run: Callable[[], object]) -> None:
        """Run until stopped, as the scheduler's periodic jobs do: a pass that fails because
        Redis or the database is away is retried at the next interval."""
        while not self._stop.wait(seconds):
            try:
                run()
            except (redis.RedisError, OperationalError):
                continue

    def _guarded(self, loop: Callable[[], None]) -> None:
        try:
            loop()
        except BaseException as exc:  # kept for stop() to raise in the test
            self.errors.append(exc)


class TemporaryPostgres:
    """A fresh database on an existing PostgreSQL server, dropped afterwards."""

    def __init__(self, server_url: str) -> None:
        self.server_url = make_url(server_url)
        self.name = f"onramp_test_{uuid.uuid4().hex[:10]}"
        self.url = self.server_url.set(database=self.name).render_as_string(hide_password=False)

    def _admin(self) -> object:
        return create_engine(self.server_url, isolation_level="AUTOCOMMIT")

    def create(self) -> str:
        engine = self._admin()
        with engine.connect() as connection:  # type: ignore[attr-defined]
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        engine.dispose()  # type: ignore[attr-defined]
        return self.url

    def drop(self) -> None:
        engine = self._admin()
        with engine.connect() as connection:  # type: ignore[attr-defined]
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        engine.dispose()  # type: ignore[attr-defined]
