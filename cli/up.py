"""`onramp up`: everything for local use in one terminal, stopped cleanly by Ctrl-C."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import click
import httpx

from core import migrate
from core.settings import DEFAULT_DATA_DIR

STOP_GRACE_SECONDS = 10


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
    binary = shutil.which("redis-server")
    if binary is None:
        raise click.ClickException(
            "redis-server is not installed: run `sudo apt-get install redis-server`, "
            "or set REDIS_URL to an existing Redis"
        )
    return [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(data_dir),
    ]


def local_secret_key(data_dir: Path) -> str:
    """A stable per-checkout secret so sessions and resume links survive restarts."""
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass
class Supervisor:
    """Starts child processes and stops them all together."""

    env: dict[str, str]
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, args: list[str], quiet: bool = False) -> None:
        """Start a child; ``quiet`` ones (Redis, the mail catcher) keep their chatter out of
        the terminal, which belongs to the web, worker and relay logs."""
        output = subprocess.DEVNULL if quiet else None
        self.children[name] = subprocess.Popen(
            args, env=self.env, start_new_session=True, stdout=output
        )

    def first_exited(self) -> str | None:
        return next((n for n, p in self.children.items() if p.poll() is not None), None)

    def stop(self) -> None:
        """Stop the services first and Redis last, so workers can ack in-flight messages."""
        services = [p for name, p in self.children.items() if name != "redis"]
        self._terminate(services)
        self._terminate([p for name, p in self.children.items() if name == "redis"])

    @staticmethod
    def _terminate(processes: list[subprocess.Popen[bytes]]) -> None:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@click.command()
@click.option("--port", default=8000, show_default=True, help="Web port (0 picks a free one).")
@click.option("--web-workers", default=2, show_default=True)
@click.option("--worker-threads", default=4, show_default=True)
def up(port: int, web_workers: int, worker_threads: int) -> None:
    """Start Redis (unless REDIS_URL is set), a mail catcher (unless ONRAMP_SMTP_HOST is set),
    web, worker, relay and scheduler; Ctrl-C stops all."""
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
    supervisor = Supervisor(env)
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
            mail_note = f"local catcher, maildir {mail_dir} (list it with `onramp mail`)"
        settings = load_settings(**{"redis_url": env.get("ONRAMP_REDIS_URL") or env["REDIS_URL"]})
        settings = settings.model_copy(update={"base_url": env["ONRAMP_BASE_URL"]})
        migrate.upgrade(settings.database_url)
        python = sys.executable
        supervisor.start(
            "web",
            [
                python,
                "-m",
                "gunicorn",
                "web:create_app()",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(web_workers),
                "--worker-class",
                "sync",
                "--access-logfile",
                "-",
                "--log-level",
                "warning",
            ],
        )
        supervisor.start(
            "worker",
            [
                python,
                "-m",
                "dramatiq",
                "workers.broker:setup_broker",
                "--processes",
                "1",
                "--threads",
                str(worker_threads),
            ],
        )
        supervisor.start("relay", [python, "-m", "cli", "relay"])
        supervisor.start("scheduler", [python, "-m", "cli", "scheduler"])
        _wait_healthy(settings.base_url, supervisor)
        _print_urls(settings.base_url, settings.database_url, settings.redis_url, mail_note)
        while not stopping:
            crashed = supervisor.first_exited()
            if crashed:
                raise click.ClickException(f"{crashed} stopped unexpectedly; stopping everything")
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
        click.echo("  no openings yet: run `onramp seed-demo`")
    click.echo(f"  hiring managers:      {base_url}/login")
    click.echo(f"  health:               {base_url}/healthz")
    click.echo(f"  redis:                {redis_url}")
    click.echo(f"  database:             {database_url}")
    click.echo(f"  mail:                 {mail_note}")
    click.echo(
        f"  try:                  onramp demo --candidates 20 --hires 5 --days 90 --url {base_url}"
    )
    click.echo("Press Ctrl-C to stop.")
