"""No personal data or link tokens in what the database layer and gunicorn write to logs."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.exc import IntegrityError

from core.accounts import create_user
from core.clock import SystemClock
from core.db import Database
from core.log_privacy import RedactingFilter
from core.settings import Settings
from tests.services import free_port

PASSWORD = "violet harbour lantern ninety-three"
TOKEN = "IjdlNGY5YzJhMWIzZDQ1NjdhOGI5YzBkMWUyZjNhNGI1Ig.Zx9Qaw.kF3c1L0o2vUu0p6Q1mS8hYyR7aE"


def test_database_errors_do_not_print_bound_parameters(
    db: Database, clock: SystemClock, opening: Any
) -> None:
    email = f"jordan.{uuid.uuid4().hex[:8]}@example.com"
    with db.unit_of_work() as session:
        create_user(
            session,
            clock,
            company_id=opening.company_id,
            email=email,
            name="Jordan",
            role="manager",
            password=PASSWORD,
        )

    with pytest.raises(IntegrityError) as caught, db.unit_of_work() as session:
        create_user(
            session,
            clock,
            company_id=opening.company_id,
            email=email,
            name="Jordan",
            role="manager",
            password=PASSWORD,
        )

    message = str(caught.value)
    assert "user_account" in message  # the statement is still there to debug with
    assert "Jordan" not in message  # bound parameters are hidden
    # PostgreSQL quotes the duplicate key in its own error text; what reaches a log does not.
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, "insert failed", None, None)
    record.exc_info = (type(caught.value), caught.value, caught.value.__traceback__)
    RedactingFilter().filter(record)
    assert email not in record.getMessage() + (record.exc_text or "")
    assert "user_account" in (record.exc_text or "")


def _gunicorn_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONRAMP_")}
    return env | {
        "ONRAMP_ENV": "test",
        "ONRAMP_DATABASE_URL": settings.database_url,
        "ONRAMP_REDIS_URL": settings.redis_url,
        "ONRAMP_REDIS_NAMESPACE": settings.redis_namespace,
        "ONRAMP_SECRET_KEY": settings.secret_key,
        "ONRAMP_RATE_LIMITS_ENABLED": "false",
    }


def test_gunicorn_access_log_masks_resume_and_portal_tokens(
    settings: Settings, tmp_path: Path
) -> None:
    port = free_port()
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "web:create_app()",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(access_log),
            "--error-logfile",
            str(error_log),
            "--logger-class",
            "web.access_log.RedactingLogger",
        ],
        env=_gunicorn_env(settings),
        stdout=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base_url, timeout=5) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    assert process.poll() is None, error_log.read_text()
                    assert time.monotonic() < deadline, "gunicorn did not start"
                    time.sleep(0.1)
            referer = {"Referer": f"{base_url}/a/{TOKEN}/1"}
            client.get(f"/a/{TOKEN}/1")
            client.post(f"/a/{TOKEN}/2", headers=referer)
            client.get(f"/welcome/{TOKEN}/steps/welcome")
            client.get(f"/healthz?token={TOKEN}&signature={TOKEN}")
        deadline = time.monotonic() + 5
        while access_log.read_text().count("\n") < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(10)

    logged = access_log.read_text()
    assert TOKEN not in logged
    assert TOKEN.split(".")[0] not in logged
    assert '"GET /a/<redacted>/1 HTTP/1.1" 404' in logged
    assert '"POST /a/<redacted>/2 HTTP/1.1"' in logged
    assert f'"{base_url}/a/<redacted>/1"' in logged  # the Referer
    assert '"GET /welcome/<redacted>/steps/welcome HTTP/1.1"' in logged
    assert '"GET /healthz?token=<redacted>&signature=<redacted> HTTP/1.1" 200' in logged
