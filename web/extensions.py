"""Flask extensions, created unbound and attached in create_app."""

from __future__ import annotations

from flask import Flask, abort, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from core import links
from core.clock import Clock
from core.db import Database
from core.settings import Settings

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


@limiter.request_filter
def _limits_off_for_this_app() -> bool:
    """Exempt every request of an app whose settings turn limits off (tests, benchmarks)."""
    return not settings().rate_limits_enabled


_DB, _CLOCK, _SETTINGS = "onramp.db", "onramp.clock", "onramp.settings"


def attach(app: Flask, settings: Settings, db: Database, clock: Clock) -> None:
    app.extensions[_SETTINGS] = settings
    app.extensions[_DB] = db
    app.extensions[_CLOCK] = clock


def db() -> Database:
    return current_app.extensions[_DB]


def clock() -> Clock:
    return current_app.extensions[_CLOCK]


def settings() -> Settings:
    return current_app.extensions[_SETTINGS]


def signer(purpose: str) -> URLSafeTimedSerializer:
    return links.signer(settings(), purpose)


def unsign(purpose: str, token: str, max_age: int, invalid_status: int = 404) -> str:
    """The value inside a signed link, or a clear 410 (expired) / ``invalid_status`` page."""
    try:
        return signer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        abort(410)
    except BadSignature:
        abort(invalid_status)
