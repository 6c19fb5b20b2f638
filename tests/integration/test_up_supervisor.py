"""`onramp up`'s supervisor with real processes, and its private Redis surviving a SIGKILL."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from cli.up import Backoff, Supervisor, free_port, redis_server_command
from tests.services import redis_answers

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
QUICK = Backoff(first=0.2, ceiling=0.4, stable_after=60)


def wait_until(condition: Callable[[], object], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def alive(pid: int) -> bool:
    """Running, not merely a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@pytest.fixture
def supervisor() -> Iterator[Supervisor]:
    running = Supervisor(dict(os.environ), QUICK)
    yield running
    running.stop()


@pytest.mark.slow
def test_a_child_killed_with_sigkill_is_restarted_and_the_crash_logged(
    supervisor: Supervisor, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="cli.up")
    supervisor.start("worker", SLEEPER)
    first = supervisor.children["worker"].process

    os.kill(first.pid, signal.SIGKILL)
    wait_until(
        lambda: supervisor.supervise() or supervisor.children["worker"].process is not first,
        "the worker to be restarted",
    )

    restarted = supervisor.children["worker"].process
    assert first.returncode == -signal.SIGKILL
    assert restarted.pid != first.pid
    assert restarted.poll() is None
    crash, restart = (r.getMessage() for r in caplog.records)
    assert crash.startswith("worker exited with code -9 (SIGKILL) after ")
    assert crash.endswith("; restarting in 0.2s")
    assert restart.startswith(f"worker restarted as pid {restarted.pid} (previous exit code -9")


@pytest.mark.slow
def test_crashes_in_a_row_wait_longer_each_time(
    supervisor: Supervisor, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="cli.up")
    supervisor.start("relay", [sys.executable, "-c", "raise SystemExit(3)"])
    child = supervisor.children["relay"]
    for _ in range(3):
        crashed = child.process
        wait_until(
            lambda crashed=crashed: supervisor.supervise() or child.process is not crashed,
            "a restart",
        )
        assert crashed.returncode == 3
    crashes = [r for r in caplog.records if "exited" in r.getMessage()]
    fields = [r.__dict__ for r in crashes]  # the structured fields of each log line
    assert [(f["child"], f["exit_code"], f["restart_in"]) for f in fields] == [
        ("relay", 3, 0.2),
        ("relay", 3, 0.4),
        ("relay", 3, 0.4),
    ]
    assert child.crashes_in_a_row == 3


@pytest.mark.slow
def test_what_a_crashed_child_left_behind_is_stopped_before_it_restarts(
    supervisor: Supervisor, tmp_path: Path
) -> None:
    """A SIGKILLed gunicorn master leaves its workers holding the port: they must go."""
    pid_file = tmp_path / "grandchild.pid"
    spawner = (
        "import subprocess, sys, time, pathlib;"
        f"p = subprocess.Popen({SLEEPER!r});"
        f"pathlib.Path({str(pid_file)!r}).write_text(str(p.pid));"
        "time.sleep(60)"
    )
    supervisor.start("web", [sys.executable, "-c", spawner])
    first = supervisor.children["web"].process
    wait_until(pid_file.exists, "the child to start its own child")
    grandchild = int(pid_file.read_text())

    os.kill(first.pid, signal.SIGKILL)
    wait_until(
        lambda: supervisor.supervise() or supervisor.children["web"].process is not first,
        "the restart",
    )
    wait_until(lambda: not alive(grandchild), "the leftover to be stopped", timeout=5)


@pytest.mark.slow
def test_stop_ends_the_services_first_and_redis_last(tmp_path: Path) -> None:
    order = tmp_path / "order"
    supervisor = Supervisor(dict(os.environ), QUICK)

    def recorder(name: str, linger: float) -> list[str]:
        code = (
            "import signal, sys, time\n"
            "def stop(*_):\n"
            f"    time.sleep({linger})\n"
            f"    open({str(order)!r}, 'a').write({name!r} + '\\n')\n"
            "    sys.exit(0)\n"
            "signal.signal(signal.SIGTERM, stop)\n"
            f"open({str(order)!r}, 'a').write('started ' + {name!r} + '\\n')\n"
            "time.sleep(60)\n"
        )
        return [sys.executable, "-c", code]

    supervisor.start("redis", recorder("redis", 0))
    supervisor.start("worker", recorder("worker", 0.5))
    wait_until(lambda: order.exists() and order.read_text().count("started") == 2, "both")
    supervisor.stop()

    assert order.read_text().splitlines()[2:] == ["worker", "redis"]
    assert all(child.process.returncode == 0 for child in supervisor.children.values())


@pytest.mark.slow
def test_private_redis_keeps_queued_messages_across_a_sigkill(tmp_path: Path) -> None:
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    command = redis_server_command(port, tmp_path)

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_until(lambda: redis_answers(url), "redis to answer")
        return process

    process = start()
    try:
        with redis.Redis.from_url(url) as client:
            client.rpush("dramatiq:screening", "message-1", "message-2")
        time.sleep(1.5)  # appendfsync everysec: written to disk within a second
        process.kill()
        process.wait(10)
        assert (tmp_path / "redis").is_dir()

        process = start()
        with redis.Redis.from_url(url) as client:
            assert client.lrange("dramatiq:screening", 0, -1) == [b"message-1", b"message-2"]
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.slow
def test_quiet_children_write_to_their_own_log_file_across_restarts(tmp_path: Path) -> None:
    supervisor = Supervisor(dict(os.environ), QUICK, log_dir=tmp_path / "log")
    log_file = tmp_path / "log" / "mail.log"
    supervisor.start("mail", [sys.executable, "-c", "print('catching mail')"], quiet=True)
    try:
        wait_until(
            lambda: supervisor.supervise() or log_file.read_text().count("catching mail") == 2,
            "a second run of the child",
        )
    finally:
        supervisor.stop()
