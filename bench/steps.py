"""Onboarding steps in bulk, for the scheduler tick: ``total`` step rows of which exactly
``DUE`` are due (half deliveries, a quarter reminders, a quarter escalations). The rest look
like a long-running deployment: completed, pending in the future, or delivered with their
follow-ups already sent. Made with one INSERT … SELECT per table (generate_series on
PostgreSQL, a recursive CTE on SQLite)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, text

from core.clock import SystemClock
from core.db import Database, UtcDateTime

DUE = 1000
STEPS_PER_HIRE = 17

ENROLLMENTS = """
INSERT INTO enrollment (id, application_id, company_id, role, new_hire_name, new_hire_email,
    start_date, timezone, sequence_key, sequence_version, sequence, portal_key, created_at)
SELECT g, g, 1, 'Advisor', 'Bench Hire', 'hire@example.com', '2026-01-05', 'UTC', 'bench', 1,
    {empty_json}, 'k' || g, :past
FROM {numbers}
"""

# g ≤ 500: a due delivery; ≤ 750: a due reminder; ≤ 1000: a due escalation; then by g % 10:
# 0-3 completed, 4-6 pending in the future, 7-9 delivered with both follow-ups sent.
STEPS = """
INSERT INTO step_instance (id, enrollment_id, step_key, audience, kind, title, status,
    deliver_at, due_at, remind_at, escalate_at, delivered_at, reminded_at, escalated_at,
    completed_at, attempts)
SELECT g, (g - 1) / 17 + 1, 's' || ((g - 1) % 17), 'new_hire', 'read', 'Step',
    CASE WHEN g <= 500 THEN 'pending' WHEN g <= 1000 THEN 'delivered'
         WHEN g % 10 < 4 THEN 'completed' WHEN g % 10 < 7 THEN 'pending' ELSE 'delivered' END,
    CASE WHEN g > 1000 AND g % 10 BETWEEN 4 AND 6 THEN :future ELSE :past END,
    CASE WHEN g > 1000 AND g % 10 BETWEEN 4 AND 6 THEN :future ELSE :past END,
    CASE WHEN g > 1000 AND g % 10 BETWEEN 4 AND 6 THEN :future ELSE :past END,
    CASE WHEN g <= 750 OR (g > 1000 AND g % 10 BETWEEN 4 AND 6) THEN :future ELSE :past END,
    CASE WHEN g <= 500 OR (g > 1000 AND g % 10 BETWEEN 4 AND 6) THEN NULL ELSE :past END,
    CASE WHEN g <= 750 OR (g > 1000 AND g % 10 < 7) THEN NULL ELSE :past END,
    CASE WHEN g <= 1000 OR (g > 1000 AND g % 10 < 7) THEN NULL ELSE :past END,
    CASE WHEN g > 1000 AND g % 10 < 4 THEN :past ELSE NULL END,
    1
FROM {numbers}
"""


def populate(db: Database, total: int) -> None:
    now = SystemClock().now()
    params = {"past": now - timedelta(days=1), "future": now + timedelta(days=30)}
    hires = -(-total // STEPS_PER_HIRE)
    with db.unit_of_work() as session:
        for sql, count in ((ENROLLMENTS, hires), (STEPS, total)):
            used = {k: v for k, v in params.items() if f":{k}" in sql}
            statement = text(_numbered(sql, db.dialect, count)).bindparams(
                *(bindparam(name, type_=UtcDateTime()) for name in used)
            )
            session.execute(statement, used)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")


def _numbered(sql: str, dialect: str, count: int) -> str:
    if dialect == "postgresql":
        return sql.format(numbers=f"generate_series(1, {count}) AS g", empty_json="'{}'::jsonb")
    cte = (
        "WITH RECURSIVE numbers(g) AS "
        "(SELECT 1 UNION ALL SELECT g + 1 FROM numbers WHERE g < {count}) "
    )
    return (cte + sql).format(numbers="numbers", empty_json="'{}'", count=int(count))
