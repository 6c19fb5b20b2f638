"""Input no page can use is refused at the door with a 400, before CSRF, sessions or SQL.

PostgreSQL refuses a NUL in any text ("text fields cannot contain NUL") and a lone surrogate
cannot be encoded for it at all, so such a character in a path, a query, a form or a JSON
body would otherwise surface as a 500 from whichever query first carries it. Control
characters are refused everywhere; tabs and line breaks are allowed in form and JSON text
values, where people type them. A multipart part without a name (``Content-Disposition:
form-data`` alone) is refused too: Flask-WTF cannot bind a field without a name.

Ids in URLs go through ``<id:...>`` (``IdConverter``): 1 to 2**31 - 1, ASCII digits, else 404;
``<int:...>`` takes ASCII digits only too (``AsciiIntegerConverter``).
Forms strip text before validating it (the ``strip`` filter): spaces alone are no answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter, IntegerConverter, ValidationError

# The largest value of a PostgreSQL INTEGER column: every id in the schema is one.
MAX_ID = 2**31 - 1

# C0 and C1 controls, DEL, and lone surrogates (which no database encoding can hold); text
# values may also hold \t, \n and \r.
_CONTROL_IN_NAME = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

REFUSED = (
    "What you sent contains characters we cannot accept (control characters). "
    "Please retype the text, or remove those characters, and send it again."
)


class UnusableInput(BadRequest):
    """A 400 whose description is shown to the person: what was wrong with what they sent."""


def is_id(value: object) -> bool:
    """Whether ``value`` (from JSON, say) can be a row id: an int, not a bool, in range."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


class IdConverter(BaseConverter):
    """``<id:application_id>``: a row id in a URL. Out of range or not ASCII digits: no match,
    so a 404 rather than an overflow in the database driver."""

    regex = r"[1-9][0-9]{0,9}"
    weight = 50

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


class AsciiIntegerConverter(IntegerConverter):
    """Flask's ``<int:...>``, ASCII digits only. Werkzeug's ``\\d+`` matches every script's
    digits and ``int()`` reads them (U+0661, an Arabic-Indic one, is 1), so ``/a/<token>/`` and
    that digit opened page 1 under a second address; now it is a 404 like any path that names
    no page."""

    regex = r"[0-9]+"


def to_id(value: Any) -> int:
    """A WTForms ``coerce=`` for fields that post row ids: out of range is a ValueError, which
    the field reports as an invalid value, rather than an overflow in the database driver."""
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError("not an id")
    return number


def strip(value: Any) -> Any:
    """A WTForms filter: surrounding whitespace removed before validators look at the text."""
    return value.strip() if isinstance(value, str) else value


def _json_strings(document: Any) -> Iterator[tuple[str, bool]]:
    """Every string in a JSON document as (text, is_key), walked without recursion."""
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, str):
            yield node, False
        elif isinstance(node, dict):
            for key, value in node.items():
                yield key, True
                pending.append(value)
        elif isinstance(node, list):
            pending.extend(node)


def _names_and_values() -> Iterator[tuple[object, bool]]:
    """Every piece of client text, as (text, may hold tabs and line breaks)."""
    yield request.path, False
    for key, value in request.args.items(multi=True):
        yield key, False
        yield value, False
    for key, value in request.form.items(multi=True):
        yield key, False
        yield value, True
    for key in request.files:
        yield key, False
    if request.is_json:
        try:
            document = request.get_json(silent=True)
        except RecursionError:
            raise UnusableInput("The JSON body is nested too deeply.") from None
        for text, is_key in _json_strings(document):
            yield text, not is_key


def refuse_unusable_input() -> None:
    """The first before_request hook: a 400 for what no page can use, before anything else."""
    for text, multiline in _names_and_values():
        if not isinstance(text, str):  # a multipart part with no name
            raise UnusableInput("Every part of a form must have a name.")
        pattern = _CONTROL_IN_TEXT if multiline else _CONTROL_IN_NAME
        if pattern.search(text):
            raise UnusableInput(REFUSED)


def init_app(app: Flask) -> None:
    """Call before any other extension registers a hook: this one must run first."""
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["int"] = AsciiIntegerConverter
    app.before_request(refuse_unusable_input)
