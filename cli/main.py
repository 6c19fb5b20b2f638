"""`onramp`: the command line and composition root (it may import every layer)."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup

from core import log_privacy, migrate, outbox
from core.clock import SystemClock, clock_for
from core.db import Database
from core.settings import Settings, SettingsError


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings.from_env(**overrides)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def _create_app() -> Flask:
    from web import create_app

    return create_app(load_settings())


@click.group(cls=FlaskGroup, create_app=_create_app, load_dotenv=False, set_debug_flag=False)
def main() -> None:
    """onramp: service-mindset pre-screen, interview packets and onboarding."""
    logging.basicConfig(
        level=os.environ.get("ONRAMP_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    log_privacy.install()
    for noisy in ("httpx", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply Alembic migrations."""
    settings = load_settings()
    migrate.upgrade(settings.database_url, revision)
    click.echo(f"database at revision {revision}: {_safe_url(settings.database_url)}")


@main.command("seed-demo")
def seed_demo() -> None:
    """Create the demo company, its published assessment and an opening (idempotent)."""
    from screening.seed import seed_demo as seed

    settings = load_settings()
    database = Database(settings.database_url)
    with database.unit_of_work() as session:
        ids = seed(session, SystemClock())
    click.echo(f"demo opening: {settings.base_url}/o/{ids.opening_slug}")
    click.echo(f"hiring manager: {ids.manager_email} / {ids.password}  ({settings.base_url}/login)")
    click.echo(f"admin:          {ids.admin_email} / {ids.password}")


@main.command()
@click.option(
    "--processes",
    default=os.cpu_count() or 1,
    show_default="the number of cores",
    help="One process per core: scoring and packet building are CPU-bound under the GIL.",
)
@click.option("--threads", default=4, show_default=True)
def worker(processes: int, threads: int) -> None:
    """Run Dramatiq workers (all queues)."""
    load_settings()  # fail with one clear line before dramatiq starts
    args = [sys.executable, "-m", "dramatiq", "workers.broker:setup_broker"]
    args += ["--processes", str(processes), "--threads", str(threads)]
    os.execv(sys.executable, args)


@main.command()
def relay() -> None:
    """Move committed outbox events to the queues until stopped."""
    from workers.broker import setup_broker
    from workers.relay import Relay

    settings = load_settings()
    database = Database(settings.database_url)
    broker = setup_broker(settings, database)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("relay running")
    Relay(database, broker, clock_for(settings), settings.relay_batch_size).run(
        stop, settings.relay_idle_seconds
    )
    broker.close()


@main.command()
@click.option("--every", type=float, default=None, help="Seconds between ticks.")
def scheduler(every: float | None) -> None:
    """Enqueue due onboarding steps, reminders and escalations; every minute re-drive what a
    crash left half-done (the reconciler); once a day purge data past its retention."""
    from dataclasses import asdict

    from screening.retention import purge
    from workers.broker import setup_broker
    from workers.reconciler import Reconciler
    from workers.scheduler import PeriodicJob, Scheduler

    settings = load_settings()
    database = Database(settings.database_url)
    broker = setup_broker(settings, database)
    clock = clock_for(settings)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    every = every or settings.scheduler_tick_seconds
    reconciler = Reconciler(database, broker, clock, settings)

    def purge_expired_data() -> None:
        with database.unit_of_work() as session:
            result = purge(session, clock, settings.retention_days, settings.abandoned_days)
        logging.getLogger("onramp.retention").info("retention purge", extra=asdict(result))

    jobs = [
        PeriodicJob("reconciler", settings.reconcile_every_seconds, reconciler.run_once),
        PeriodicJob("retention-purge", 24 * 3600, purge_expired_data),
    ]
    click.echo(
        f"scheduler ticking every {every:g}s; reconciler every "
        f"{settings.reconcile_every_seconds:g}s"
    )
    Scheduler(database, broker, clock).run(every, jobs)
    broker.close()


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for scripts and checks.")
def status(as_json: bool) -> None:
    """Is anything stuck? Applications by status, missing packets, deliveries, due steps and
    the outbox backlog."""
    import json

    from core import deliveries
    from onboarding.enrollments import engine_stats
    from screening.applications import status_counts
    from screening.hiring import count_packets_missing

    settings = load_settings()
    database = Database(settings.database_url)
    with database.unit_of_work() as session:
        by_delivery_status = deliveries.status_counts(session)
        report = {
            "applications": status_counts(session),
            "packets_missing": count_packets_missing(session),
            "deliveries_pending": by_delivery_status["pending"],
            "deliveries_failed": by_delivery_status["failed"],
            "steps_due_undelivered": engine_stats(
                session, clock_for(settings).now()
            ).due_undelivered,
            "outbox_unsent": outbox.unsent_count(session),
        }
    database.dispose()
    if as_json:
        click.echo(json.dumps(report, sort_keys=True))
        return
    for name, count in sorted(report.pop("applications").items()):
        click.echo(f"{'applications ' + name:>28}: {count}")
    for name, count in report.items():
        click.echo(f"{name.replace('_', ' '):>28}: {count}")


@main.command()
@click.option("--maildir", default="var/mail", show_default=True, type=click.Path())
def mail(maildir: str) -> None:
    """List the messages caught by `onramp up`'s local mail catcher."""
    import mailbox

    try:
        box = mailbox.Maildir(maildir, create=False)
    except mailbox.NoSuchMailboxError:
        raise click.ClickException(f"no mail caught yet ({maildir} does not exist)") from None
    messages = sorted(box, key=lambda m: m.get("Date", ""))
    for message in messages:
        click.echo(
            f"{message.get('Date', ''):<32} {message.get('To', ''):<32} {message['Subject']}"
        )
    click.echo(f"{len(messages)} message(s) in {maildir}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _register_commands() -> None:
    from cli.companies import company_group
    from cli.definitions import definitions_group
    from cli.demo import demo
    from cli.openings import opening_group
    from cli.retention import retention
    from cli.stats import stats
    from cli.up import up

    main.add_command(up)
    main.add_command(demo)
    main.add_command(retention)
    main.add_command(definitions_group)
    main.add_command(opening_group)
    main.add_command(company_group)
    main.add_command(stats)


_register_commands()
