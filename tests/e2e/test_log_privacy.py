"""A full demo through `onramp up` leaves no candidate's or new hire's email address, and no
resume or portal link token, in anything its processes log."""

from __future__ import annotations

import json
import re
import subprocess
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from core import links
from core.db import Database
from core.settings import Settings
from onboarding.models import Enrollment
from screening.models import Application, Candidate
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

CANDIDATES, HIRES, DAYS = 6, 2, 20
DEMO_TIMEOUT = 600.0
RESUME = "resume"  # web.candidate.routes.RESUME: the purpose its links are signed for
# What follows /a/ or /welcome/ in a logged URL: only the redaction marker may appear there.
LINK_SEGMENT = re.compile(r"/(?:a|welcome)/([^/\s\"'?#]+)")
ALLOWED_SEGMENTS = {"<redacted>", "…"}  # the demo masks failed URLs as /a/…


@dataclass(frozen=True)
class Secrets:
    emails: set[str]
    token_payloads: set[str]  # the first, stable part of every resume and portal token


def _run_demo(stack: Stack) -> subprocess.CompletedProcess[str]:
    result = stack.onramp(
        "demo",
        "--candidates",
        str(CANDIDATES),
        "--hires",
        str(HIRES),
        "--days",
        str(DAYS),
        "--url",
        stack.base_url,
        "--json",
        timeout=DEMO_TIMEOUT,
    )
    assert result.returncode == 0, (
        f"demo failed ({result.returncode})\n{result.stdout}\n{result.stderr}\n"
        f"--- log ---\n{stack.log()[-4000:]}"
    )
    return result


def _secrets(stack: Stack) -> Secrets:
    """Every address the demo used and the payload of every link it was sent. A token's
    timestamp and signature change each time it is made; its payload part does not."""
    settings = Settings(secret_key=stack.env["ONRAMP_SECRET_KEY"])
    database = Database(stack.env["ONRAMP_DATABASE_URL"])
    try:
        with database.unit_of_work() as session:
            candidate_emails = set(session.scalars(select(Candidate.email)))
            hire_emails = set(session.scalars(select(Enrollment.new_hire_email)))
            public_ids = session.scalars(select(Application.public_id)).all()
            portal_keys = session.scalars(select(Enrollment.portal_key)).all()
    finally:
        database.dispose()
    assert len(candidate_emails) >= CANDIDATES
    assert len(hire_emails) == HIRES
    resume, portal = links.signer(settings, RESUME), links.signer(settings, links.PORTAL)
    payloads = {resume.dumps(public_id).split(".")[0] for public_id in public_ids}
    payloads |= {portal.dumps(key).split(".")[0] for key in portal_keys}
    return Secrets({e.lower() for e in candidate_emails | hire_emails}, payloads)


def _logs(stack: Stack, demo: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """What every process wrote: web (gunicorn, access log included), worker, relay and
    scheduler share `onramp up`'s output; Redis and the mail catcher write under var/log."""
    logs = {"onramp up": stack.log(), "demo stdout": demo.stdout, "demo stderr": demo.stderr}
    for path in sorted((stack.workdir / "var" / "log").glob("*.log")):
        logs[f"var/log/{path.name}"] = path.read_text(errors="replace")
    return logs


def _findings(logs: dict[str, str], secrets: Secrets) -> list[str]:
    found = []
    for name, text in logs.items():
        for number, line in enumerate(text.splitlines(), 1):
            lowered = line.lower()
            leaks = [e for e in secrets.emails if e in lowered]
            leaks += [p for p in secrets.token_payloads if p in line]
            leaks += [s for s in LINK_SEGMENT.findall(line) if s not in ALLOWED_SEGMENTS]
            if leaks:
                found.append(f"{name}:{number}: {sorted(set(leaks))}\n    {line[:300]}")
    return found


def test_a_full_demo_logs_no_email_address_and_no_link_token(stack: Stack) -> None:
    demo = _run_demo(stack)
    summary = json.loads(demo.stdout)
    assert summary["hires"] == HIRES, summary
    time.sleep(2)  # let the scheduler tick and the worker finish what it was doing
    secrets = _secrets(stack)

    logs = _logs(stack, demo)

    assert "/a/<redacted>/" in logs["onramp up"], "no candidate page in the access log"
    assert "/welcome/<redacted>" in logs["onramp up"], "no portal page in the access log"
    findings = _findings(logs, secrets)
    assert not findings, f"{len(findings)} log line(s) hold personal data or a token:\n" + (
        "\n".join(findings[:30])
    )
