"""`onramp up`: everything for local use in one terminal, stopped cleanly by Ctrl-C.

A child that crashes (web, worker, relay, scheduler, mail catcher, Redis) is restarted after
an exponential backoff; Redis keeps an append-only file under ``var/redis/``, so queued
messages survive its restart.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import click
import httpx

from core import migrate
from core.settings import DEFAULT_DATA_DIR

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 10
# Worker processes and gunicorn workers default to one per core: measured on 2 cores, one
# worker process with 4 threads was bound by the interpreter lock; two did 1.4x the work.
CORES = os.cpu_count() or 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise click.ClickException(f"nothing is listening on port {port} after {timeout:.0f}s")


def redis_server_command(port: int, data_dir: Path) -> list[str]:
    """A private redis-server on ``port`` whose append-only file lives in ``data_dir/redis``
    (created here), fsynced every second: a crash and restart loses at most a second."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise click.ClickException(
            "redis-server is not installed: run `sudo apt-get install redis-server`, "
            "or set REDIS_URL to an existing Redis"
        )
    redis_dir = (data_dir / "redis").resolve()
    redis_dir.mkdir(parents=True, exist_ok=True)
    return [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
        "--dir",
        str(redis_dir),
    ]


def local_secret_key(data_dir: Path) -> str:
    """A stable per-checkout secret so sessions and resume links survive restarts."""
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass(frozen=True)
class Backoff:
    """How long to wait before restarting a child: ``first`` seconds after a crash, doubling
    with each crash in a row up to ``ceiling``; a run of ``stable_after`` seconds forgives
    the earlier crashes."""

    first: float = 1.0
    ceiling: float = 30.0
    stable_after: float = 60.0

    def crashes_in_a_row(self, previous: int, uptime: float) -> int:
        """The count after one more crash, following a run of ``uptime`` seconds."""
        return 1 if uptime >= self.stable_after else previous + 1

    def delay(self, crashes_in_a_row: int) -> float:
        return min(self.ceiling, self.first * 2 ** max(0, crashes_in_a_row - 1))


@dataclass
class Child:
    """One supervised process; ``restart_at`` is set while it waits out its backoff."""

    name: str
    args: list[str]
    quiet: bool
    process: subprocess.Popen[bytes]
    started_at: float
    crashes_in_a_row: int = 0
    restart_at: float | None = None


def describe_exit(code: int) -> str:
    """``-9`` → ``-9 (SIGKILL)``: Popen reports death by signal as a negative code."""
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"{code} ({signal.Signals(-code).name})"
    return str(code)


def _signal_group(pid: int, signum: int) -> None:
    """Signal a child's process group (it runs in its own session); a group already gone,
    or a leader whose leftovers (gunicorn or dramatiq workers) all exited, is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


@dataclass
class Supervisor:
    """Starts child processes, restarts those that crash, and stops them all together."""

    env: dict[str, str]
    backoff: Backoff = field(default_factory=Backoff)
    log_dir: Path | None = None
    children: dict[str, Child] = field(default_factory=dict)

    def start(self, name: str, args: list[str], quiet: bool = False) -> None:
        """Start a child; ``quiet`` ones (Redis, the mail catcher) keep their chatter out of
        the terminal, which belongs to the web, worker and relay logs: it goes to
        ``log_dir/<name>.log`` if there is a ``log_dir``, else nowhere."""
        child = Child(name, args, quiet, self._spawn(name, args, quiet), time.monotonic())
        self.children[name] = child

    def _spawn(self, name: str, args: list[str], quiet: bool) -> subprocess.Popen[bytes]:
        with self._stdout(name, quiet) as stdout:
            return subprocess.Popen(args, env=self.env, start_new_session=True, stdout=stdout)

    def _stdout(self, name: str, quiet: bool) -> AbstractContextManager[IO[bytes] | int | None]:
        if not quiet:
            return contextlib.nullcontext(None)
        if self.log_dir is None:
            return contextlib.nullcontext(subprocess.DEVNULL)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        return (self.log_dir / f"{name}.log").open("ab")

    def first_exited(self) -> str | None:
        return next((n for n, c in self.children.items() if c.process.poll() is not None), None)

    def supervise(self) -> None:
        """One pass: schedule a restart for each child that exited, and restart those whose
        backoff is over. Call it every fraction of a second."""
        now = time.monotonic()
        for child in self.children.values():
            if child.restart_at is None:
                code = child.process.poll()
                if code is not None:
                    self._crashed(child, code, now)
            elif now >= child.restart_at:
                self._restart(child, now)

    def _crashed(self, child: Child, code: int, now: float) -> None:
        uptime = now - child.started_at
        child.crashes_in_a_row = self.backoff.crashes_in_a_row(child.crashes_in_a_row, uptime)
        delay = self.backoff.delay(child.crashes_in_a_row)
        child.restart_at = now + delay
        _signal_group(child.process.pid, signal.SIGTERM)  # leftovers may finish their work
        log.warning(
            "%s exited with code %s after %.1fs; restarting in %gs",
            child.name,
            describe_exit(code),
            uptime,
            delay,
            extra={"child": child.name, "exit_code": code, "restart_in": delay},
        )

    def _restart(self, child: Child, now: float) -> None:
        code = child.process.returncode
        _signal_group(child.process.pid, signal.SIGKILL)  # leftovers would hold its port
        child.process = self._spawn(child.name, child.args, child.quiet)
        child.started_at, child.restart_at = now, None
        log.warning(
            "%s restarted as pid %d (previous exit code %s, crash %d in a row)",
            child.name,
            child.process.pid,
            describe_exit(code),
            child.crashes_in_a_row,
            extra={"child": child.name, "exit_code": code, "pid": child.process.pid},
        )

    def stop(self) -> None:
        """Stop the services first and Redis last, so workers can ack in-flight messages."""
        processes = {name: child.process for name, child in self.children.items()}
        self._terminate([p for name, p in processes.items() if name != "redis"])
        self._terminate([p for name, p in processes.items() if name == "redis"])

    @staticmethod
    def _terminate(processes: list[subprocess.Popen[bytes]]) -> None:
        for process in processes:
            # A crashed child waiting for its restart may have left workers behind.
            _signal_group(process.pid, signal.SIGTERM if process.poll() is None else signal.SIGKILL)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait()


@click.command()
@click.option("--port", default=8000, show_default=True, help="Web port (0 picks a free one).")
@click.option(
    "--processes",
    default=CORES,
    show_default=True,
    help="Worker processes (one per core: a process's threads share one interpreter lock).",
)
@click.option("--web-workers", default=CORES, show_default=True, help="gunicorn sync workers.")
@click.option("--worker-threads", default=4, show_default=True)
@click.option(
    "--verbose", is_flag=True, help="Also print the web's access log, request by request."
)
def up(port: int, processes: int, web_workers: int, worker_threads: int, verbose: bool) -> None:
    """Start Redis (unless REDIS_URL is set), a mail catcher (unless ONRAMP_SMTP_HOST is set),
    web, worker, relay and scheduler; restart any that crashes; Ctrl-C stops all."""
    from cli.main import load_settings

    port = port or free_port()
    data_dir = DEFAULT_DATA_DIR.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("ONRAMP_SECRET_KEY", local_secret_key(data_dir))
    env.setdefault("ONRAMP_BASE_URL", f"http://127.0.0.1:{port}")
    if env.get("ONRAMP_ENV", "development") == "development":
        # Lets `onramp demo --days N` move time for every process; real time until it does.
        env.setdefault("ONRAMP_SIMULATED_CLOCK", "1")
        env.setdefault("ONRAMP_SCHEDULER_TICK_SECONDS", "1")
    supervisor = Supervisor(env, log_dir=data_dir / "log")
    stopping = False

    def _stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        if not (env.get("ONRAMP_REDIS_URL") or env.get("REDIS_URL")):
            redis_port = free_port()
            supervisor.start("redis", redis_server_command(redis_port, data_dir), quiet=True)
            env["ONRAMP_REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
            wait_for_port(redis_port)
        mail_note = f"SMTP {env.get('ONRAMP_SMTP_HOST')}:{env.get('ONRAMP_SMTP_PORT', '25')}"
        if not env.get("ONRAMP_SMTP_HOST"):
            smtp_port = free_port()
            mail_dir = data_dir / "mail"
            supervisor.start(
                "mail",
                [
                    sys.executable,
                    "-m",
                    "aiosmtpd",
                    "-n",
                    "-l",
                    f"127.0.0.1:{smtp_port}",
                    "-c",
                    "aiosmtpd.handlers.Mailbox",
                    str(mail_dir),
                ],
                quiet=True,
            )
            env["ONRAMP_SMTP_HOST"], env["ONRAMP_SMTP_PORT"] = "127.0.0.1", str(smtp_port)
            wait_for_port(smtp_port)
            onramp = onramp_command()
            mail_note = (
                f"local catcher, maildir {mail_dir}\n{'':24}"
                f"list: {onramp} mail   read one: {onramp} mail show N"
            )
        settings = load_settings(**{"redis_url": env.get("ONRAMP_REDIS_URL") or env["REDIS_URL"]})
        settings = settings.model_copy(update={"base_url": env["ONRAMP_BASE_URL"]})
        migrate.upgrade(settings.database_url)
        python = sys.executable
        supervisor.start("web", gunicorn_command(python, port, web_workers, verbose=verbose))
        supervisor.start(
            "worker",
            [
                python,
                "-m",
                "dramatiq",
                "workers.broker:setup_broker",
                "--processes",
                str(processes),
                "--threads",
                str(worker_threads),
            ],
        )
        supervisor.start("relay", [python, "-m", "cli", "relay"])
        supervisor.start("scheduler", [python, "-m", "cli", "scheduler"])
        _wait_healthy(settings.base_url, supervisor)
        _settle(supervisor)
        _print_urls(settings.base_url, settings.database_url, settings.redis_url, mail_note)
        while not stopping:
            supervisor.supervise()
            time.sleep(0.3)
        click.echo("stopping…")
    finally:
        supervisor.stop()
    click.echo("stopped")


def _wait_healthy(base_url: str, supervisor: Supervisor, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        crashed = supervisor.first_exited()
        if crashed:
            raise click.ClickException(f"{crashed} failed to start; see the output above")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise click.ClickException(f"web did not become healthy within {timeout:.0f}s")


def _settle(supervisor: Supervisor, seconds: float = 2.0) -> None:
    """Let the worker, relay and scheduler print their start-up lines, so the banner is
    the last thing on the screen."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        crashed = supervisor.first_exited()
        if crashed:
            raise click.ClickException(f"{crashed} failed to start; see the output above")
        time.sleep(0.1)


def gunicorn_command(python: str, port: int, web_workers: int, *, verbose: bool) -> list[str]:
    """The web child: warnings and errors only, plus one (redacted) line per request when
    ``verbose`` — a demo makes thousands of them, mostly ``/healthz``."""
    args = [
        python,
        "-m",
        "gunicorn",
        "web:create_app()",
        "--config",
        "python:web.gunicorn_hooks",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(web_workers),
        "--worker-class",
        "sync",
        "--logger-class",
        "web.access_log.RedactingLogger",
        "--log-level",
        "warning",
    ]
    if verbose:
        args += ["--access-logfile", "-"]
    return args


def onramp_command(executable: str | None = None, cwd: Path | None = None) -> str:
    """How to run onramp from this shell: ``onramp`` if that is on PATH as this
    interpreter's script, else the script beside the interpreter (``.venv/bin/onramp``),
    relative to the working directory when it is under it."""
    script = Path(executable or sys.executable).parent / "onramp"
    on_path = shutil.which("onramp")
    if on_path is not None and Path(on_path).absolute() == script.absolute():
        return "onramp"
    if not script.exists():
        return "onramp"
    with contextlib.suppress(ValueError):
        return str(script.absolute().relative_to((cwd or Path.cwd()).absolute()))
    return str(script)


def _print_urls(base_url: str, database_url: str, redis_url: str, mail_note: str) -> None:
    from sqlalchemy import select

    from core.db import Database
    from screening.models import Opening

    database = Database(database_url)
    with database.unit_of_work() as session:
        slugs = session.scalars(select(Opening.slug).where(Opening.is_open)).all()
    database.dispose()
    click.echo("")
    click.secho("onramp is running", bold=True)
    for slug in slugs:
        click.echo(f"  candidate pre-screen: {base_url}/o/{slug}")
    if not slugs:
        click.echo(f"  no openings yet: run `{onramp_command()} seed-demo`")
    click.echo(f"  careers page:         {base_url}/")
    click.echo(f"  hiring managers:      {base_url}/login")
    click.echo(f"  health:               {base_url}/healthz")
    click.echo(f"  redis:                {redis_url}")
    click.echo(f"  database:             {database_url}")
    click.echo(f"  mail:                 {mail_note}")
    click.echo(
        f"  try:                  {onramp_command()} demo --candidates 20 --hires 5 --days 90 "
        f"--url {base_url}"
    )
    click.echo("Press Ctrl-C to stop.")
