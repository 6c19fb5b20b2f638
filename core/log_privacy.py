"""Logs without personal data or link tokens, whatever wrote them.

Our own log lines carry ids only, but other code writes too: gunicorn logs request paths (a
resume link, `/a/<token>/…`, opens a candidate's answers without a password), and
PostgreSQL's error text quotes the row that broke a constraint ("Key (email)=(…) already
exists"), which SQLAlchemy's ``hide_parameters`` cannot hide. A filter on every handler masks
link tokens and email addresses before anything is written.
"""

from __future__ import annotations

import logging
import re

REDACTED = "<redacted>"
EMAIL_REDACTED = "<email>"

# The path segment after /a/, /welcome/ or /invitations/, and any token=, key= or signature=
# query value.
_TOKEN_IN_PATH = re.compile(r"(/(?:a|welcome|invitations)/)[^/?#\s\"']+")
_TOKEN_IN_QUERY = re.compile(r"(\b(?:token|key|signature)=)[^&;#\s\"']+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def redact(text: str) -> str:
    """``text`` with link tokens, token-like query values and email addresses masked."""
    text = _TOKEN_IN_PATH.sub(rf"\g<1>{REDACTED}", text)
    text = _TOKEN_IN_QUERY.sub(rf"\g<1>{REDACTED}", text)
    return _EMAIL.sub(EMAIL_REDACTED, text)


class RedactingFilter(logging.Filter):
    """Replaces a record's message (and traceback text) by its redacted rendering."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install(level: int | str = logging.INFO) -> None:
    """Put the filter on every handler of the root logger (giving it one if it has none, so
    nothing falls through to Python's unfiltered last-resort handler)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
