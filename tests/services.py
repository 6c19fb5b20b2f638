"""Real services for the tests: a database per run, and Redis (shared or private)."""

from __future__ import annotations

import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cli.up import free_port, redis_server_command


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
            self.process.terminate()
            self.process.wait(10)
        self.process = None


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
