"""gunicorn logs without the secrets that travel in our URLs (see core.log_privacy).

A candidate's resume link (`/a/<token>/…`), a new hire's portal link (`/welcome/<token>/…`)
and a staff invitation (`/invitations/<token>`) open records or accounts without a password,
so the token must not sit in an access log, in a Referer, or in gunicorn's "Error handling
request /a/…" lines. Run gunicorn with ``--logger-class web.access_log.RedactingLogger``.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from core.log_privacy import REDACTED, RedactingFilter, redact

__all__ = ["REDACTED", "RedactingFilter", "RedactingLogger", "redact"]


class RedactingLogger(Logger):
    """gunicorn's logger with `RedactingFilter` on its access and error logs."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, RedactingFilter) for f in log.filters):
                log.addFilter(RedactingFilter())
