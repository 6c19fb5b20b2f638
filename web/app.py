"""The application factory."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask

from core import log_privacy
from core.clock import Clock, clock_for
from core.db import Database
from core.settings import Settings
from web import auth, errors, extensions, filters, health, input_guard, metrics, security
from web.admin.routes import bp as admin_bp
from web.api.routes import bp as api_bp
from web.api.v1 import bp as api_v1_bp
from web.api.v1 import docs_bp as api_docs_bp
from web.candidate.routes import bp as candidate_bp
from web.manager.routes import bp as manager_bp
from web.newhire.routes import bp as newhire_bp
from web.staff.routes import bp as staff_bp

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None, db: Database | None = None, clock: Clock | None = None
) -> Flask:
    settings = settings or Settings.from_env()
    log_privacy.install()
    app = Flask(__name__)
    https = settings.secure_cookies or settings.base_url.startswith("https://")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        MAX_FORM_MEMORY_SIZE=settings.max_request_bytes,
        # Under https the __Host- prefix makes browsers refuse the cookie unless it is Secure,
        # host-only and path "/": a sibling subdomain cannot plant or overwrite it.
        SESSION_COOKIE_NAME="__Host-onramp-session" if https else "onramp-session",
        SESSION_COOKIE_PATH="/",
        SESSION_COOKIE_DOMAIN=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        WTF_CSRF_TIME_LIMIT=12 * 3600,
        RATELIMIT_STORAGE_URI=settings.redis_url,
        RATELIMIT_KEY_PREFIX=f"{settings.redis_namespace}-limits",
        # One Limiter serves every app in the process and keeps the last init's switch, so
        # limits are always on here and each app opts out through its own settings (see
        # web.extensions._limits_off_for_this_app).
        RATELIMIT_ENABLED=True,
        # Rate limits must not take the site down with Redis: fall back to memory.
        RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        # No X-RateLimit-* headers: computing them cost a second Redis call per limited request,
        # and no client of ours reads them.
        RATELIMIT_HEADERS_ENABLED=False,
    )
    extensions.attach(
        app, settings, db or Database(settings.database_url), clock or clock_for(settings)
    )
    input_guard.init_app(app)  # first hook: refuses unusable input before CSRF or any query
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    security.init_app(app, https=https)
    errors.init_app(app)
    filters.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(candidate_bp)
    auth.init_app(app)
    app.register_blueprint(manager_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_v1_bp)
    app.register_blueprint(api_docs_bp)
    app.register_blueprint(newhire_bp)
    app.register_blueprint(staff_bp)
    return app
