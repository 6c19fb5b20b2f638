"""The full stack as a user runs it: `onramp up` in a temporary directory, and a real browser.

`stack` migrates and seeds a fresh SQLite database, starts `onramp up` (its own redis-server,
gunicorn, a Dramatiq worker and the outbox relay) and, on teardown, stops it with SIGTERM and
checks that everything went away. `browser_page` is a page in the system Chromium.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.services import free_port

VENV_BIN = Path(sys.executable).parent
ONRAMP = VENV_BIN / "onramp"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0


@dataclass(frozen=True)
class Stack:
    base_url: str
    port: int
    log_path: Path
    workdir: Path
    env: dict[str, str]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def onramp(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run an `onramp` command against this stack, as its operator would."""
        return subprocess.run(
            [str(ONRAMP), *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def _clean_env(workdir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ONRAMP_") and key not in {"REDIS_URL", "DATABASE_URL"}
    }
    env["ONRAMP_DATABASE_URL"] = f"sqlite:///{workdir / 'onramp.db'}"
    env["ONRAMP_SECRET_KEY"] = secrets.token_urlsafe(32)
    env["PYTHONUNBUFFERED"] = "1"  # so the log is readable while the stack runs
    return env


def _port_accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _healthy(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> int | None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    assert ONRAMP.exists(), f"{ONRAMP} is missing: run `pip install -e .[dev]` in the venv"
    workdir = tmp_path_factory.mktemp("stack")
    env = _clean_env(workdir)
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(
            [str(ONRAMP), *command], cwd=workdir, env=env, check=True, capture_output=True
        )

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = workdir / "onramp-up.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            # --verbose: test_log_privacy checks the access log too.
            [str(ONRAMP), "up", "--port", str(port), "--verbose"],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own session: only the teardown's SIGTERM stops it, as Ctrl-C would.
            start_new_session=True,
        )
    result = Stack(base_url, port, log_path, workdir, env)

    deadline = time.monotonic() + START_TIMEOUT
    while not _healthy(base_url):
        problem = None
        if process.poll() is not None:
            problem = f"`onramp up` exited with {process.returncode} before it was healthy"
        elif time.monotonic() > deadline:
            problem = f"{base_url}/healthz did not answer 200 within {START_TIMEOUT:.0f}s"
        if problem:
            _stop(process)
            pytest.fail(f"{problem}\n--- {log_path} ---\n{result.log()}", pytrace=False)
        time.sleep(0.25)

    yield result

    code = _stop(process)
    if code is None:
        process.kill()
        process.wait()
    log_text = result.log()
    assert code == 0, f"`onramp up` did not exit cleanly on SIGTERM ({code})\n{log_text}"
    assert "stopped" in log_text, f"`onramp up` did not report 'stopped'\n{log_text}"
    assert not _port_accepts(port), f"port {port} still accepts connections after stop"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is not installed; the e2e tests need it (`make test` installs it, "
            "or run `sudo apt-get install chromium`)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def browser_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
