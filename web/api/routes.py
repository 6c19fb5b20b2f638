"""Machine endpoints: the ATS's HMAC-signed "offer accepted" webhook."""

from __future__ import annotations

import hmac
import re
import time
from dataclasses import asdict
from typing import Any

from flask import Blueprint, abort, request
from flask_login import current_user

from core import links
from core.clock import SharedOffsetClock
from core.signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from core.webhooks import first_time_seen
from onboarding import enrollments
from screening import decisions
from screening.models import Application
from web import extensions
from web.auth import signed_in_user
from web.extensions import csrf
from web.input_guard import MAX_ID, is_id

bp = Blueprint("api", __name__)

# Unix seconds: ASCII digits only (str.isdigit() takes "²") and short enough for int().
TIMESTAMP = re.compile(r"[0-9]{1,12}")


def _verified_signature() -> str:
    settings = extensions.settings()
    if not settings.webhook_secret:
        abort(404)
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not TIMESTAMP.fullmatch(timestamp):
        abort(400, "missing or malformed timestamp")
    if abs(time.time() - int(timestamp)) > settings.webhook_tolerance_seconds:
        abort(400, "timestamp outside the tolerance window")
    expected = sign(settings.webhook_secret, timestamp, request.get_data())
    if not signature.isascii() or not hmac.compare_digest(expected, signature):
        abort(401)  # compare_digest raises on non-ASCII text
    return signature.removeprefix("sha256=")


def _admin_only() -> None:
    if not current_user.is_authenticated:
        abort(401)
    if not current_user.is_admin:
        abort(403)


@bp.get("/api/onboarding/stats")
def onboarding_stats() -> dict[str, Any]:
    """Engine counters for operators and `onramp demo` (admins only)."""
    _admin_only()
    clock = extensions.clock()
    with extensions.db().unit_of_work() as session:
        stats = enrollments.engine_stats(session, clock.now())
    return {"now": clock.now().isoformat(), **asdict(stats)}


@bp.get("/api/onboarding/portal-links")
def portal_links() -> dict[str, Any]:
    """New hires' magic links, so `onramp demo` can act as them. Demo instances only (the
    simulated clock is never on in production) and admins only: a link completes steps."""
    _admin_only()
    if not isinstance(extensions.clock(), SharedOffsetClock):
        abort(404)
    settings = extensions.settings()
    with extensions.db().unit_of_work() as session:
        keys = enrollments.portal_keys(session, signed_in_user(session).company_id)
    return {"links": [links.portal_url(settings, key) for key in keys]}


@bp.post("/api/clock/advance")
def advance_clock() -> dict[str, Any]:
    """Move the shared simulated clock (development/demo instances only; admins only)."""
    _admin_only()
    clock = extensions.clock()
    if not isinstance(clock, SharedOffsetClock):
        abort(404)
    body = request.get_json(silent=True) or {}
    days = body.get("days")
    if not isinstance(days, int | float) or not 0 < days <= 30:
        abort(400, 'expected JSON {"days": a number from 0 to 30}')
    return {"now": clock.advance(days=days).isoformat()}


@bp.post("/webhooks/offer-accepted")
@csrf.exempt
def offer_accepted() -> tuple[dict[str, Any], int]:
    """Body: {"application_id": int, "start_date": "YYYY-MM-DD", "reason": optional str}."""
    signature = _verified_signature()
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not is_id(body.get("application_id")):
        abort(400, f"expected JSON with an integer application_id (1 to {MAX_ID}) and a start_date")
    start_date = decisions.parse_start_date(str(body.get("start_date", "")))
    with extensions.db().unit_of_work() as session:
        if not first_time_seen(session, extensions.clock(), signature):
            abort(409, "this request was already processed (replay)")
        application = session.get(Application, body["application_id"])
        if application is None or application.status == "started":
            abort(404)
        # The ATS is the record of the offer: a recent past start date needs no extra
        # confirmation there; the hire still gets one catch-up email, not a flood.
        decision = decisions.decide(
            session,
            extensions.clock(),
            application,
            "offer_accepted",
            reason=str(body.get("reason", "Offer accepted in the ATS"))[:1000],
            source="webhook",
            start_date=start_date,
            past_start_confirmed=True,
        )
    return {"status": "recorded" if decision else "already accepted"}, 200
