"""Shared by the API tests: a key of a company and the header that presents it."""

from __future__ import annotations

from core import api_keys
from core.clock import SystemClock
from core.db import Database


def issue_key(db: Database, company_id: int, scope: str = "write") -> str:
    with db.unit_of_work() as session:
        return api_keys.create_key(
            session, SystemClock(), company_id=company_id, name="Test ATS", scope=scope
        ).text


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
