"""Every error becomes a clear page (or JSON for API clients) with a 4xx status, never a 500;
the database being out of reach is a 503 with Retry-After.

Error pages render from the template alone: no context processors (Flask-Login's would load
the signed-in user from the database, which may be the very thing that failed) and no query.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, request
from flask_wtf.csrf import CSRFError
from limits import RateLimitItem
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError

from core.errors import DomainError
from web.input_guard import UnusableInput

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood. Please go back and try again.",
    404: "We could not find that page. The link may be incomplete or out of date.",
    405: "That action is not available on this page.",
    410: "This link has expired. Ask for a new one, or start again from the job opening.",
    413: "That was more than we can accept in one go. Please shorten your answer and try again.",
    429: "Too many requests in a short time. Please wait a minute and try again.",
}
RETRY_AFTER_SECONDS = 30


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/webhooks/")) or (
        request.accept_mimetypes.best == "application/json"
    )


PROBLEM_MIMETYPE = "application/problem+json"
# Headers of an HTTP error worth keeping on the page or problem that replaces it: how to
# sign in (401), which methods a URL takes (405), when to come back (429).
_KEPT_HEADERS = ("WWW-Authenticate", "Allow", "Retry-After")


def problem(status: int, detail: str, **extra: Any) -> Response:
    """An RFC 9457 problem document: every error under /api/ is one."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    response = current_app.response_class(
        current_app.json.dumps({**body, "detail": detail, **extra}), mimetype=PROBLEM_MIMETYPE
    )
    response.status_code = status
    return response


def _render(status: int, title: str, message: str) -> Response:
    if request.path.startswith("/api/"):
        return problem(status, message)
    if _wants_json():
        response = current_app.json.response({"error": title, "message": message})
    else:
        template = current_app.jinja_env.get_template("error.html")
        html = template.render(title=title, message=message, status=status)
        response = current_app.response_class(html, mimetype="text/html")
    response.status_code = status
    return response


# PostgreSQL SQLSTATE classes of a server out of reach or overloaded: connection exception,
# insufficient resources (too many connections), operator intervention (shutting down).
_POSTGRES_UNAVAILABLE = ("08", "53", "57P")
# SQLite result codes of a file that is busy, locked, cannot be opened, read or written.
_SQLITE_UNAVAILABLE = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_CANTOPEN",
    "SQLITE_IOERR",
    "SQLITE_FULL",
)


def database_unreachable(error: Exception) -> bool:
    """A connection problem (refused, dropped, pool exhausted, locked), not a failing query:
    SQLite reports "no such table" as an OperationalError too, and that one is a bug."""
    if isinstance(error, PoolTimeoutError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    if error.statement is None:  # raised while connecting, not by a statement
        return True
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    sqlite_code = getattr(error.orig, "sqlite_errorname", None) or ""
    return sqlstate.startswith(_POSTGRES_UNAVAILABLE) or sqlite_code.startswith(_SQLITE_UNAVAILABLE)


def _retry_after(error: HTTPException) -> int:
    """Seconds until a rate limit lets the client in again: at most its window (Flask-Limiter
    sets no Retry-After while its X-RateLimit headers are off), else a minute."""
    limit = getattr(getattr(error, "limit", None), "limit", None)
    return int(limit.get_expiry()) if isinstance(limit, RateLimitItem) else 60


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Response:
        return _render(
            400,
            "Your form expired",
            "For your security the form has expired. Go back, reload the page and send it again; "
            "your saved answers are kept.",
        )

    @app.errorhandler(UnusableInput)
    def _unusable(error: UnusableInput) -> Response:
        return _render(400, "We could not read that", error.description or "")

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Response:
        return _render(error.status_code, "We could not do that", str(error))

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeoutError)
    def _database(error: Exception) -> Response:
        if not database_unreachable(error):
            raise error  # a failing query is a bug: the usual 500 path (logged; raised in tests)
        log.warning("database unavailable", extra={"error": type(error).__name__})
        response = _render(
            503,
            "Temporarily unavailable",
            "We cannot reach our records right now. Please try again in a minute; "
            "if you were sending a form, send it again.",
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        if status >= 500:
            return _internal(error)
        default = MESSAGES.get(status, error.description or error.name)
        response = _render(status, error.name, error.description if _wants_json() else default)
        for name, value in error.get_headers():
            if name in _KEPT_HEADERS:
                response.headers[name] = value
        if status == 429 and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = str(_retry_after(error))
        return response

    @app.errorhandler(InternalServerError)
    def _internal(error: Exception) -> Response:
        log.error("unhandled error", exc_info=getattr(error, "original_exception", error))
        return _render(500, "Something went wrong", "Our mistake. Please try again in a moment.")
