"""`onramp`: the command line and composition root (it may import every layer)."""

from __future__ import annotations

import email
import email.policy
import logging
import mailbox
import os
import signal
import sys
import threading
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import click

from core import log_privacy, migrate, outbox
from core.clock import SystemClock, clock_for
from core.db import Database
from core.settings import DEFAULT_DATA_DIR, Settings, SettingsError


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings.from_env(**overrides)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


# A plain click group, not Flask's FlaskGroup: onramp's commands build what they need from
# Settings, and the help lists only them (no `run`, `shell`, `routes`, `--app`, `--version`).
@click.group()
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
    from workers.heartbeat import EVERY_SECONDS, Heartbeat
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

    def check_adverse_impact() -> None:
        from screening.impact_monitor import check_all

        with database.unit_of_work() as session:
            opened = check_all(
                session, clock, settings.impact_window_days, settings.impact_min_group
            )
        logging.getLogger("onramp.impact").info("adverse-impact check", extra={"opened": opened})

    jobs = [
        PeriodicJob("reconciler", settings.reconcile_every_seconds, reconciler.run_once),
        PeriodicJob("retention-purge", 24 * 3600, purge_expired_data),
        PeriodicJob("adverse-impact-monitor", 24 * 3600, check_adverse_impact),
        PeriodicJob("heartbeat", EVERY_SECONDS, Heartbeat("scheduler", every=0).beat),
    ]
    click.echo(
        f"scheduler ticking every {every:g}s; reconciler every "
        f"{settings.reconcile_every_seconds:g}s"
    )
    # A tick still running when the next is due is skipped by design; APScheduler's
    # "maximum number of running instances reached" warning for it is noise.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    Scheduler(database, broker, clock).run(every, jobs)
    broker.close()


@main.command()
@click.argument("role", type=click.Choice(["worker", "relay", "scheduler"]))
@click.option(
    "--max-age", default=60.0, show_default=True, help="Seconds since the last heartbeat."
)
def healthcheck(role: str, max_age: float) -> None:
    """Exit 0 if the worker, relay or scheduler in this container beat lately (compose's
    health check), 1 if not."""
    from workers.heartbeat import is_fresh

    if not is_fresh(role, max_age):
        click.echo(f"{role}: no heartbeat in the last {max_age:g}s", err=True)
        sys.exit(1)
    click.echo(f"{role}: alive")


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


DEFAULT_MAILDIR = str(DEFAULT_DATA_DIR / "mail")  # where `onramp up` runs its catcher
# On `mail` and on its subcommands, so both `mail --maildir D show 1` and `mail show 1
# --maildir D` work; a subcommand without it uses the group's.
MAILDIR_OPTION = click.option(
    "--maildir", type=click.Path(), help=f"The catcher's maildir  [default: {DEFAULT_MAILDIR}]"
)


@main.group(invoke_without_command=True)
@MAILDIR_OPTION
@click.pass_context
def mail(ctx: click.Context, maildir: str | None) -> None:
    """The messages caught by `onramp up`'s local mail catcher (lists them by default)."""
    ctx.obj = maildir or DEFAULT_MAILDIR
    if ctx.invoked_subcommand is None:
        ctx.invoke(mail_list, maildir=maildir)


def _caught_messages(maildir: str | None) -> tuple[str, list[mailbox.MaildirMessage]]:
    """The maildir's messages, oldest first: message N of `mail list` is `mail show N`."""
    maildir = maildir or click.get_current_context().find_object(str) or DEFAULT_MAILDIR
    try:
        box = mailbox.Maildir(maildir, create=False)
        messages = list(box)
    except (mailbox.NoSuchMailboxError, FileNotFoundError):
        raise click.ClickException(f"no mail caught yet ({maildir} does not exist)") from None
    return maildir, sorted(messages, key=_sent_at)


def _sent_at(message: mailbox.MaildirMessage) -> datetime:
    try:
        sent = parsedate_to_datetime(message.get("Date", ""))
    except (TypeError, ValueError):
        return datetime.min.replace(tzinfo=UTC)
    return sent if sent.tzinfo else sent.replace(tzinfo=UTC)


@mail.command("list")
@MAILDIR_OPTION
def mail_list(maildir: str | None) -> None:
    """List the caught messages, numbered for `onramp mail show N`."""
    maildir, messages = _caught_messages(maildir)
    for number, message in enumerate(messages, start=1):
        click.echo(
            f"{number:>4}  {message.get('Date', ''):<32} {message.get('To', ''):<32} "
            f"{message.get('Subject', '')}"
        )
    click.echo(f"{len(messages)} message(s) in {maildir}")


@mail.command("show")
@click.argument("number", type=click.IntRange(min=1))
@MAILDIR_OPTION
def mail_show(number: int, maildir: str | None) -> None:
    """Print message NUMBER (as numbered by `onramp mail list`): its headers and text."""
    maildir, messages = _caught_messages(maildir)
    if number > len(messages):
        raise click.ClickException(f"no message {number}: {len(messages)} message(s) in {maildir}")
    message = messages[number - 1]
    for header in ("From", "To", "Subject", "Date"):
        click.echo(f"{header + ':':<9}{message.get(header, '')}")
    click.echo("")
    click.echo(_text_body(message))


def _text_body(message: mailbox.MaildirMessage) -> str:
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    part = parsed.get_body(preferencelist=("plain",))
    if part is None:
        return "(no text part)"
    content = part.get_content()
    return content.rstrip("\n") if isinstance(content, str) else "(no text part)"


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _register_commands() -> None:
    from cli.apikeys import apikey_group
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
    main.add_command(apikey_group)


_register_commands()
