"""What a benchmark run starts and removes: a fresh database, a private Redis, a counting SMTP
catcher, gunicorn servers and ``dramatiq`` workers as real processes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cli.up import free_port, redis_server_command, wait_for_port
from core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


class TemporaryDatabase:
    """A database created for the run and dropped after it: a fresh PostgreSQL database on
    ``server_url``'s server, or a SQLite file in a temporary directory."""

    def __init__(self, server_url: str | None, workdir: Path, label: str = "main") -> None:
        self.server_url = make_url(server_url) if server_url else None
        self.name = f"onramp_bench_{label}_{uuid.uuid4().hex[:8]}"
        if self.server_url is None:
            self.url = f"sqlite:///{workdir / (self.name + '.db')}"
        else:
            self.url = self.server_url.set(database=self.name).render_as_string(hide_password=False)

    def _admin(self, sql: str) -> None:
        assert self.server_url is not None
        engine = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(sql))
        engine.dispose()

    def create(self) -> str:
        if self.server_url is not None:
            self._admin(f'CREATE DATABASE "{self.name}"')
        return self.url

    def drop(self) -> None:
        if self.server_url is not None:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def settings_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment under which a child process reads exactly ``settings``."""
    env = {**os.environ, **extra}
    for name, value in settings.model_dump().items():
        env[f"ONRAMP_{name.upper()}"] = str(value)
    return env


@dataclass
class Process:
    """A child in its own process group (gunicorn and dramatiq fork workers); output to a log."""

    name: str
    args: list[str]
    env: dict[str, str]
    logdir: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        log = (self.logdir / f"{self.name}.log").open("ab")
        self.popen = subprocess.Popen(
            self.args, env=self.env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True
        )
        return self

    def stop(self) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)
        self.popen = None

    def pids(self) -> list[int]:
        """The leader and its descendants (gunicorn/dramatiq workers)."""
        assert self.popen is not None
        found, todo = [], [self.popen.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            with contextlib.suppress(OSError):
                for task in Path(f"/proc/{pid}/task").iterdir():
                    todo += [int(c) for c in (task / "children").read_text().split()]
        return found

    def worker_pids(self) -> list[int]:
        """The forked workers only (the leader supervises and does no work)."""
        return self.pids()[1:]


def memory_mb(pid: int, field_name: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code < 500:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")


@dataclass
class Services:
    """Redis and the SMTP catcher for the whole run."""

    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="onramp-bench-")))
    redis_port: int = field(default_factory=free_port)
    smtp_port: int = field(default_factory=free_port)
    children: list[Process] = field(default_factory=list)

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    @property
    def mail_count_file(self) -> Path:
        return self.workdir / "mail-count"

    def start(self) -> Services:
        env = dict(os.environ)
        self.spawn("redis", redis_server_command(self.redis_port, self.workdir), env)
        wait_for_port(self.redis_port)
        catcher = [sys.executable, "-m", "bench.catcher", str(self.smtp_port)]
        self.spawn("smtp", [*catcher, str(self.mail_count_file)], env)
        wait_for_port(self.smtp_port)
        return self

    def spawn(self, name: str, args: list[str], env: dict[str, str]) -> Process:
        process = Process(name, args, env, self.workdir).start()
        self.children.append(process)
        return process

    def stop(self, process: Process) -> None:
        process.stop()
        self.children.remove(process)

    def mail_count(self) -> int:
        """How many messages the catcher accepted; stops it (it reports on exit)."""
        smtp = next(p for p in self.children if p.name == "smtp")
        self.stop(smtp)
        return int(self.mail_count_file.read_text() or 0)

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url)

    def close(self) -> None:
        # Everything but Redis first, so workers can ack what they hold.
        for process in [p for p in self.children if p.name != "redis"]:
            self.stop(process)
        for process in list(self.children):
            self.stop(process)
