"""Alembic environment: the URL comes from `onramp db` (or ONRAMP_DATABASE_URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import event

from core.db import Base, make_engine
from core.settings import Settings
from migrations.models import MODEL_MODULES  # noqa: F401 - puts every table on the metadata

config = context.config
url = config.attributes.get("url") or Settings.from_env().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=url, target_metadata=Base.metadata, render_as_batch=True, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        # SQLite changes a column by rebuilding its table (batch mode); with foreign keys on,
        # dropping the old copy of a table that others point at fails. Alembic's advice:
        # migrate with them off (the PRAGMA only works outside a transaction, hence here).
        event.listen(engine, "connect", _foreign_keys_off)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def _foreign_keys_off(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.close()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
