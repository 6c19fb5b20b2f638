"""Liveness/readiness for load balancers and `onramp demo`."""

from __future__ import annotations

from flask import Blueprint
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from core import outbox
from web import extensions
from web.extensions import limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> tuple[dict[str, object], int]:
    """200 while the web can take submissions (the database); Redis is reported, not required."""
    report: dict[str, object] = {}
    try:
        with extensions.db().unit_of_work() as session:
            session.execute(text("SELECT 1"))
            report["outbox_unsent"] = outbox.unsent_count(session)
        report["database"] = "ok"
    except SQLAlchemyError:
        report["database"] = "unavailable"
    try:
        with Redis.from_url(extensions.settings().redis_url, socket_timeout=1) as client:
            client.ping()
        report["redis"] = "ok"
    except RedisError:
        report["redis"] = "unavailable (events wait in the outbox)"
    report["clock"] = type(extensions.clock()).__name__
    report["now"] = extensions.clock().now().isoformat()
    ok = report["database"] == "ok"
    report["status"] = "ok" if ok else "failing"
    return report, 200 if ok else 503
