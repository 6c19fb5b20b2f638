"""Cursor pagination, the one scheme of every list in the API.

A page holds rows in id order; its ``next_cursor`` wraps the last id in an opaque token and
the next request asks for what comes after it, so rows added meanwhile are neither skipped
nor read twice the way offsets would be. A cursor we did not write is a 422.
"""

from __future__ import annotations

import base64
import binascii

from flask import abort
from pydantic import BaseModel, Field

from web.input_guard import MAX_ID

PAGE_MAX = 100
_CURSOR = "after:"


class PageQuery(BaseModel):
    cursor: str | None = Field(default=None, max_length=64)
    limit: int = Field(default=50, ge=1, le=PAGE_MAX)


def cursor_after(last_id: int | None) -> str | None:
    """The cursor of the page after the row ``last_id``; None when this page is the last."""
    if last_id is None:
        return None
    return base64.urlsafe_b64encode(f"{_CURSOR}{last_id}".encode()).decode()


def after_id(cursor: str | None) -> int:
    """The id a cursor stands for (0: from the start); a cursor we did not write is a 422."""
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    number = text.removeprefix(_CURSOR)
    if not (text.startswith(_CURSOR) and number.isascii() and number.isdigit()):
        abort(422, "That cursor is not one this API gave out; start without it.")
    return min(int(number[:10]), MAX_ID)
