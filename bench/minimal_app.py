"""The intake baseline: the smallest Flask app that commits one row per request, served by the
same gunicorn settings and database engine as onramp (``bench.minimal_app:create_app()``).

Its table also serves the latency baseline: a row inserted, a no-op message sent, the worker
stamps ``done_at`` (``bench.worker``).
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table, insert

from core.clock import SystemClock
from core.db import Database, UtcDateTime
from core.settings import Settings

metadata = MetaData()
bench_row = Table(
    "bench_row",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("done_at", UtcDateTime()),
)


def create_app() -> object:
    from flask import Flask

    settings = Settings.from_env()
    db = Database(settings.database_url)
    clock = SystemClock()
    app = Flask(__name__)

    @app.post("/row")
    def row() -> str:
        with db.unit_of_work() as session:
            session.execute(insert(bench_row).values(created_at=clock.now()))
        return "ok"

    return app
