"""gunicorn logs without the secrets that travel in our URLs.

A candidate's resume link (`/a/<token>/…`), a new hire's portal link (`/welcome/<token>/…`)
and a staff invitation (`/invitations/<token>`) open records or accounts without a password,
so the token must not sit in an access log, in a Referer, or in gunicorn's "Error handling
request /a/…" lines. Run gunicorn with ``--logger-class web.access_log.RedactingLogger``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

REDACTED = "<redacted>"

# The path segment after /a/, /welcome/ or /invitations/, and any token=, key= or signature=
# query value.
_TOKEN_IN_PATH = re.compile(r"(/(?:a|welcome|invitations)/)[^/?#\s\"']+")
_TOKEN_IN_QUERY = re.compile(r"(\b(?:token|key|signature)=)[^&;#\s\"']+", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every resume or portal token and token-like query value masked."""
    text = _TOKEN_IN_PATH.sub(rf"\g<1>{REDACTED}", text)
    return _TOKEN_IN_QUERY.sub(rf"\g<1>{REDACTED}", text)


class RedactingFilter(logging.Filter):
    """Replaces a record's message (and traceback text) by its redacted rendering."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class RedactingLogger(Logger):
    """gunicorn's logger with `RedactingFilter` on its access and error logs."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, RedactingFilter) for f in log.filters):
                log.addFilter(RedactingFilter())
