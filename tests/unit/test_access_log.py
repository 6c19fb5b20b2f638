"""Resume and portal tokens are masked in gunicorn's log lines."""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest

from web.access_log import REDACTED, RedactingFilter, redact

TOKEN = "ImFiY2RlZjEyMzQ1Njc4OTAi.Zx9Qaw.kF3c1L0o2vUu0p6Q1mS8hYyR7aE"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"/a/{TOKEN}", f"/a/{REDACTED}"),
        (f"/a/{TOKEN}/3", f"/a/{REDACTED}/3"),
        (f"/a/{TOKEN}/done", f"/a/{REDACTED}/done"),
        (f"/a/{TOKEN}/status.json", f"/a/{REDACTED}/status.json"),
        (f"/welcome/{TOKEN}", f"/welcome/{REDACTED}"),
        (f"/welcome/{TOKEN}/steps/pulse-30", f"/welcome/{REDACTED}/steps/pulse-30"),
        (f"/a/{TOKEN}?new=1", f"/a/{REDACTED}?new=1"),
        (f"/x?token={TOKEN}&page=2", f"/x?token={REDACTED}&page=2"),
        (f"/x?page=2&key={TOKEN}", f"/x?page=2&key={REDACTED}"),
        (f"/x?Signature={TOKEN}#top", f"/x?Signature={REDACTED}#top"),
        ("/o/northwind-customer-advisor", "/o/northwind-customer-advisor"),
        ("/manager/applications/12?tab=packet", "/manager/applications/12?tab=packet"),
    ],
)
def test_redact_masks_tokens_in_paths_and_query_strings(line: str, expected: str) -> None:
    assert redact(line) == expected


def test_redact_masks_the_request_line_and_the_referer_of_an_access_log_line() -> None:
    line = (
        f'127.0.0.1 - - [01/Jan/2025:09:00:00 +0000] "POST /a/{TOKEN}/2 HTTP/1.1" 302 189 '
        f'"http://127.0.0.1:8000/a/{TOKEN}/1" "Mozilla/5.0"'
    )
    redacted = redact(line)
    assert TOKEN not in redacted
    assert f'"POST /a/{REDACTED}/2 HTTP/1.1" 302 189' in redacted
    assert f'"http://127.0.0.1:8000/a/{REDACTED}/1"' in redacted
    assert redact(redacted) == redacted


def _record(msg: str, args: tuple[object, ...], exc_info: Any = None) -> logging.LogRecord:
    return logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_the_filter_masks_formatted_messages_with_mapping_arguments() -> None:
    record = _record('"%(r)s" %(s)s', ({"r": f"GET /welcome/{TOKEN} HTTP/1.1", "s": "200"},))
    assert RedactingFilter().filter(record)
    assert record.getMessage() == f'"GET /welcome/{REDACTED} HTTP/1.1" 200'


def test_the_filter_masks_tracebacks_too() -> None:
    try:
        raise RuntimeError(f"while serving /a/{TOKEN}/4")
    except RuntimeError:
        record = _record("Error handling request %s", (f"/a/{TOKEN}/4",), sys.exc_info())
    RedactingFilter().filter(record)
    text = logging.Formatter().format(record)
    assert TOKEN not in text
    assert f"Error handling request /a/{REDACTED}/4" in text
    assert "RuntimeError: while serving /a/" in text


def test_email_addresses_are_masked_wherever_they_appear() -> None:
    line = "DETAIL:  Key (email)=(jordan.o'neil+x@mail.example.co.uk) already exists."
    assert redact(line) == "DETAIL:  Key (email)=(<email>) already exists."
