"""An unreachable mail server delays email; only a notice's own errors use up its attempts."""

from __future__ import annotations

import smtplib

import pytest

from workers.actors.deliveries import is_outage


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
        smtplib.SMTPServerDisconnected("gone"),
        smtplib.SMTPConnectError(421, b"try later"),
        smtplib.SMTPDataError(451, b"local error"),
    ],
)
def test_server_trouble_is_an_outage(error: Exception) -> None:
    assert is_outage(error)


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no such user")}),
        smtplib.SMTPDataError(554, b"rejected"),
        smtplib.SMTPSenderRefused(553, b"bad sender", "x@example.com"),
    ],
)
def test_refusals_of_the_message_count_against_its_attempts(error: Exception) -> None:
    assert not is_outage(error)
