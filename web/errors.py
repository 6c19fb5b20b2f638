"""Every error becomes a clear page (or JSON for API clients) with a 4xx status, never a 500."""

from __future__ import annotations

import logging

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from core.errors import DomainError

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood. Please go back and try again.",
    404: "We could not find that page. The link may be incomplete or out of date.",
    405: "That action is not available on this page.",
    410: "This link has expired. Ask for a new one, or start again from the job opening.",
    413: "That was more than we can accept in one go. Please shorten your answer and try again.",
    429: "Too many requests in a short time. Please wait a minute and try again.",
}


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/webhooks/")) or (
        request.accept_mimetypes.best == "application/json"
    )


def _render(status: int, title: str, message: str) -> tuple[Response | str, int]:
    if _wants_json():
        return {"error": title, "message": message}, status  # type: ignore[return-value]
    return render_template("error.html", title=title, message=message, status=status), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[Response | str, int]:
        return _render(
            400,
            "Your form expired",
            "For your security the form has expired. Go back, reload the page and send it again; "
            "your saved answers are kept.",
        )

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> tuple[Response | str, int]:
        return _render(error.status_code, "We could not do that", str(error))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[Response | str, int]:
        status = error.code or 500
        if status >= 500:
            return _internal(error)
        default = MESSAGES.get(status, error.description or error.name)
        return _render(status, error.name, error.description if _wants_json() else default)

    @app.errorhandler(InternalServerError)
    def _internal(error: Exception) -> tuple[Response | str, int]:
        log.error("unhandled error", exc_info=getattr(error, "original_exception", error))
        return _render(500, "Something went wrong", "Our mistake. Please try again in a moment.")
