"""The full stack as a user runs it: `onramp up` in a temporary directory, and a real browser.

`stack` migrates and seeds a fresh SQLite database, starts `onramp up` (its own redis-server,
gunicorn, a Dramatiq worker and the outbox relay) and, on teardown, stops it with SIGTERM and
checks that everything went away. `stack_db` is its database, for arranging what no user
could do within a test's time (a hire three weeks into their plan). `browser_page` is a page
in the system Chromium.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    ViewportSize,
    sync_playwright,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import links
from core.accounts import User
from core.clock import FrozenClock, SystemClock
from core.db import Database
from core.settings import Settings
from onboarding import enrollments
from onboarding.enrollments import Hire
from onboarding.models import Enrollment, StepInstance
from onboarding.sequence import DEFAULT_SEQUENCE, load_sequence
from screening.seed import DEMO_MANAGER_EMAIL
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
SEQUENCE = load_sequence(DEFAULT_SEQUENCE)
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}


@dataclass(frozen=True)
class Stack:
    base_url: str
    port: int
    log_path: Path
    workdir: Path
    env: dict[str, str]

    def settings(self) -> Settings:
        """The settings its processes run with (the same secret key signs its links)."""
        return Settings.from_env(self.env, base_url=self.base_url)

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
def stack_db(stack: Stack) -> Iterator[Database]:
    database = Database(stack.env["ONRAMP_DATABASE_URL"])
    yield database
    database.dispose()


@dataclass(frozen=True)
class HireInPlan:
    enrollment_id: int
    portal: str  # the hire's magic link, as a path on the stack


def _complete(session: Session, enrollment: Enrollment, key: str, response: dict[str, Any]) -> None:
    step = session.scalars(
        select(StepInstance).filter_by(enrollment_id=enrollment.id, step_key=key)
    ).one()
    at = FrozenClock(max(step.deliver_at, SystemClock().now()) + timedelta(minutes=1))
    if step.status == "pending":
        enrollments.claim_delivery(session, at, step.id)
    enrollments.complete_step(session, at, enrollment, key, response, audiences=(step.audience,))


@pytest.fixture(scope="module")
def hire_three_weeks_in(stack: Stack, stack_db: Database) -> HireInPlan:
    """Nia, the demo manager's hire who started 20 days ago: some steps done, some overdue,
    the ride-along waiting for the manager to arrange it, the quiz delivered."""
    clock = SystemClock()
    with stack_db.unit_of_work() as session:
        manager = session.scalars(select(User).filter_by(email=DEMO_MANAGER_EMAIL)).one()
        hire = Hire(
            application_id=10**9,  # no application behind it: onboarding never reads one
            company_id=manager.company_id,
            role="Customer Advisor",
            start_date=date.today() - timedelta(days=20),
            new_hire_name="Nia Okafor",
            new_hire_email="nia.okafor@example.com",
            manager_user_id=manager.id,
            timezone="Europe/Berlin",
        )
        enrollment = enrollments.enroll(session, clock, hire, SEQUENCE)
        assert enrollment is not None
        _complete(session, enrollment, "welcome", {"acknowledged": True})
        _complete(
            session, enrollment, "manager_prepare_first_week", {"by": manager.id, "note": "Sam"}
        )
        _complete(session, enrollment, "buddy_coffee", {"by": manager.id})
        _complete(
            session,
            enrollment,
            "your_strengths",
            {"text": "I stay calm with upset customers and I explain things patiently."},
        )
        _complete(session, enrollment, "essentials_compliance", {"acknowledged": True})
        quiz = session.scalars(
            select(StepInstance).filter_by(enrollment_id=enrollment.id, step_key="principles_quiz")
        ).one()
        if quiz.status == "pending":  # as the scheduler would
            enrollments.claim_delivery(session, clock, quiz.id)
        settings = stack.settings()
        portal = links.portal_url(settings, enrollment.portal_key).removeprefix(settings.base_url)
        return HireInPlan(enrollment.id, portal)


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
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """`new_page(viewport, **context_options)`: a page in a fresh browser context (its own
    cookies), closed after the test."""
    contexts: list[BrowserContext] = []

    def make(viewport: ViewportSize = DESKTOP, **options: Any) -> Page:
        context = browser.new_context(viewport=viewport, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def browser_page(new_page: Callable[..., Page]) -> Page:
    return new_page({"width": 1280, "height": 900})


def assert_fits(page: Page, width: int) -> None:
    """Nothing is wider than the screen: no sideways scrolling."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"horizontal scroll: {scroll}px wide on a {width}px screen"


def save_screenshot(target: Page | Locator, name: str, *, full_page: bool = True) -> None:
    """Save `name`.png of a page (whole, or its first screenful) or of one element, in the
    folder ONRAMP_SCREENSHOTS names (the README's pictures, or pages to look at); nothing
    without it, so test runs leave docs/ alone."""
    folder = os.environ.get("ONRAMP_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    path = str(Path(folder) / f"{name}.png")
    if isinstance(target, Locator):
        target.screenshot(path=path)
    elif full_page:
        target.screenshot(path=path, full_page=True)
    else:
        target.evaluate("window.scrollTo(0, 0)")
        target.screenshot(path=path)
