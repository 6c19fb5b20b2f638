"""The Alembic history builds exactly the schema the models describe, on this database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from core import audit
from core.audit import AuditEntry
from core.clock import SystemClock
from core.db import Base, Database
from migrations.models import MODEL_MODULES  # noqa: F401 - puts every table on the metadata


def test_migrations_match_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_the_audit_log_refuses_updates_and_deletes(db: Database) -> None:
    with db.unit_of_work() as session:
        audit.record(
            session, SystemClock(), actor="test", action="probe", subject_type="test", subject_id=1
        )
    for statement in ("UPDATE audit_entry SET actor = 'x'", "DELETE FROM audit_entry"):
        try:
            with db.unit_of_work() as session:
                session.execute(text(statement))
        except DatabaseError as exc:
            assert "append-only" in str(exc)
        else:
            raise AssertionError(f"{statement} was allowed")
    with db.unit_of_work() as session:
        assert session.query(AuditEntry).filter_by(action="probe").count() >= 1
