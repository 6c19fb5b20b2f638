"""Fixtures that build on each other: settings → database → app/client → broker → worker.

The database is SQLite unless ONRAMP_TEST_DATABASE_URL names a PostgreSQL server (a fresh
database is created on it per run). Redis is ONRAMP_TEST_REDIS_URL, else the machine's
127.0.0.1:6379 if it answers, else a private redis-server started here. Every run uses its own
key namespace, and tests create their own company and opening, so runs never collide.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import dramatiq
import pytest
import redis
from dramatiq.brokers.redis import RedisBroker
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from core import migrate
from core.clock import SystemClock
from core.db import Database
from core.settings import Settings
from screening.definition import DEFAULT_ASSESSMENT, load_definition
from screening.models import Opening
from screening.seed import ensure_company, ensure_opening
from tests.services import PrivateRedis, TemporaryPostgres, free_port, redis_answers

SHARED_REDIS = "redis://127.0.0.1:6379/0"

# Tests check correctness, never speed (speed lives in bench/): no per-example deadlines and no
# "generation is slow" failures on a shared, loaded 2-core machine.
hypothesis_settings.register_profile(
    "onramp", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("onramp")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = os.environ.get("ONRAMP_TEST_DATABASE_URL", "")
    if server.startswith("postgresql"):
        database = TemporaryPostgres(server)
        url = database.create()
        migrate.upgrade(url)
        yield url
        database.drop()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'onramp.db'}"
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    configured = os.environ.get("ONRAMP_TEST_REDIS_URL")
    if configured:
        yield configured
    elif redis_answers(SHARED_REDIS):
        yield SHARED_REDIS
    else:
        private = PrivateRedis().start()
        yield private.url
        private.stop()


@dataclass
class CaughtMail:
    """A real SMTP server (aiosmtpd) that keeps what it receives."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    controller: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"

    def start(self) -> CaughtMail:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture(scope="session")
def mail_server() -> Iterator[CaughtMail]:
    server = CaughtMail(free_port()).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def settings(database_url: str, redis_url: str, mail_server: CaughtMail) -> Iterator[Settings]:
    """This run's settings; its Redis keys (queues, heartbeats, limits) go when it ends, so
    runs leave the machine's shared Redis as they found it."""
    settings = Settings(
        smtp_port=mail_server.port,
        webhook_secret="test-webhook-secret",
        env="test",
        database_url=database_url,
        redis_url=redis_url,
        redis_namespace=f"onramp-test-{uuid.uuid4().hex[:8]}",
        secret_key="test-secret-key-not-for-production",
        base_url="http://localhost",
        rate_limits_enabled=False,
    )
    yield settings
    with redis.Redis.from_url(redis_url) as client:
        for key in client.scan_iter(match=f"{settings.redis_namespace}*", count=500):
            client.delete(key)


@pytest.fixture(scope="session")
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def clock() -> SystemClock:
    return SystemClock()


@pytest.fixture(scope="session")
def app(settings: Settings, db: Database, clock: SystemClock) -> Flask:
    return _app(settings, db, clock)


def _app(settings: Settings, db: Database, clock: Any) -> Flask:
    from web import create_app

    application = create_app(settings, db, clock)
    application.config["TESTING"] = True
    return application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def default_definition() -> Any:
    return load_definition(DEFAULT_ASSESSMENT)


@pytest.fixture
def opening(db: Database, clock: SystemClock, default_definition: Any) -> Opening:
    """A company and opening of this test's own, with the default assessment."""
    suffix = uuid.uuid4().hex[:8]
    with db.unit_of_work() as session:
        company = ensure_company(session, clock, f"co-{suffix}", default_definition)
        return ensure_opening(
            session, clock, company, default_definition, slug=f"advisor-{suffix}", title="Advisor"
        )


@pytest.fixture(scope="session")
def broker(settings: Settings, db: Database) -> Iterator[RedisBroker]:
    from workers.broker import setup_broker

    broker = setup_broker(settings, db)
    yield broker
    broker.flush_all()
    broker.close()


@pytest.fixture
def worker(broker: RedisBroker) -> Iterator[dramatiq.Worker]:
    worker = dramatiq.Worker(broker, worker_timeout=100, worker_threads=2)
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis().start()
    yield server
    server.stop()


CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_token(html: str) -> str:
    found = CSRF.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = Path(__file__).parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
