"""Outgoing email over SMTP. Subjects never carry candidate PII; bodies link to the app.

Each worker thread keeps one SMTP connection open and reuses it: a new connection per email
(TCP, greeting, EHLO, STARTTLS, AUTH, QUIT) cost more than the email itself. A connection the
server has dropped since (idle timeout, restart) is replaced once, transparently; any other
failure closes it and reaches the caller, which releases the delivery for a retry.
"""

from __future__ import annotations

import contextlib
import io
import smtplib
import ssl
import threading
from email.charset import QP, Charset
from email.generator import BytesGenerator
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from typing import TypeVar

from core.notices import Notice
from core.settings import Settings

# The errors that mean "this connection is dead", found when the next command is sent on it.
_GONE = (smtplib.SMTPServerDisconnected, ConnectionError)


class _Connection:
    """One thread's open SMTP connection. When the thread ends (a worker shutting down) its
    thread-local goes, and this closes the socket rather than leave it to the collector."""

    def __init__(self, smtp: smtplib.SMTP, key: tuple[object, ...]) -> None:
        self.smtp = smtp
        self.key = key

    def close(self) -> None:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            self.smtp.quit()
        self.smtp.close()

    def __del__(self) -> None:
        self.smtp.close()


class _ThreadConnection(threading.local):
    current: _Connection | None = None


_pooled = _ThreadConnection()


def send(settings: Settings, notice: Notice, message_id: str) -> None:
    """Send one message; raises OSError / smtplib.SMTPException for the caller to retry.

    ``message_id`` is the delivery's stable id, so a resend after a crash carries the same
    Message-ID and mail clients (and our tests) recognise it as the same message."""
    message = compose(settings, notice, message_id)
    smtp, reused = _connection(settings)
    try:
        _transmit(smtp, settings, notice, message)
        return
    except _GONE:
        close()
        if not reused:
            raise
    except (OSError, smtplib.SMTPException):
        close()
        raise
    # The server dropped the connection while it sat idle (its timeout, a restart): the first
    # command found it closed, so nothing was accepted; once more on a fresh connection.
    smtp, _ = _connection(settings)
    try:
        _transmit(smtp, settings, notice, message)
    except (OSError, smtplib.SMTPException):
        close()
        raise


def _transmit(smtp: smtplib.SMTP, settings: Settings, notice: Notice, message: Message) -> None:
    """What ``send_message`` does, with the envelope we already know (the deployment's
    address, the notice's recipient) instead of parsing it back out of the headers: that
    parse was 5% of a worker's samples. A message for a non-ASCII address keeps
    ``send_message``, which asks the server for SMTPUTF8."""
    if isinstance(message, EmailMessage):
        smtp.send_message(message)
        return
    flat = io.BytesIO()
    BytesGenerator(flat).flatten(message, linesep="\r\n")
    smtp.sendmail(parseaddr(settings.mail_from)[1], [notice.to], flat.getvalue())


def _connection(settings: Settings) -> tuple[smtplib.SMTP, bool]:
    """This thread's open connection for these settings (reused: True), or a new one."""
    key = (
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_ssl,
        settings.smtp_starttls,
        settings.smtp_username,
        settings.smtp_password,
    )
    pooled = _pooled.current
    if pooled is not None and pooled.key == key:
        return pooled.smtp, True
    close()
    smtp_class = smtplib.SMTP_SSL if settings.smtp_ssl else smtplib.SMTP
    smtp = smtp_class(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds)
    try:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
    except BaseException:
        smtp.close()
        raise
    _pooled.current = _Connection(smtp, key)
    return smtp, False


def close() -> None:
    """Close this thread's connection (QUIT if the server still listens)."""
    pooled, _pooled.current = _pooled.current, None
    if pooled is not None:
        pooled.close()


# Quoted-printable keeps bodies readable in the raw message (the default for UTF-8 is base64).
M = TypeVar("M", bound=Message)

_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP


def compose(settings: Settings, notice: Notice, message_id: str) -> Message:
    """The message to send. Built with the ``compat32`` MIME classes: ``EmailMessage`` parses
    every header through the header registry, which cost 0.6 ms an email against 0.13 ms (a
    sixth of a worker's time per application). An address that is not ASCII needs SMTPUTF8,
    which only ``EmailMessage`` can flatten, so those few take that road."""
    if not (notice.to + settings.mail_from).isascii():
        return _international(settings, notice, message_id)
    body = MIMEText(notice.text, "plain", _UTF8)
    message: Message = body
    if notice.ics:
        message = MIMEMultipart("mixed")
        message.attach(body)
        # ``method=REQUEST`` (RFC 6047) makes mail clients offer to accept the meeting.
        invite = MIMEText(notice.ics, "calendar", _UTF8)
        invite.set_param("method", "REQUEST")
        invite.add_header("Content-Disposition", "attachment", filename="invite.ics")
        message.attach(invite)
    subject = notice.subject if notice.subject.isascii() else Header(notice.subject, _UTF8)
    return _addressed(message, settings, notice, subject, message_id)


def _international(settings: Settings, notice: Notice, message_id: str) -> EmailMessage:
    message = _addressed(EmailMessage(), settings, notice, notice.subject, message_id)
    message.set_content(notice.text)
    if notice.ics:
        message.add_attachment(
            notice.ics.encode(),
            maintype="text",
            subtype="calendar",
            filename="invite.ics",
            params={"method": "REQUEST", "charset": "utf-8"},
        )
    return message


def _addressed(
    message: M, settings: Settings, notice: Notice, subject: str | Header, message_id: str
) -> M:
    message["From"] = sender(settings.mail_from, notice.sender_name)
    message["To"] = notice.to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id
    return message


def sender(mail_from: str, name: str) -> str:
    """The From header: the deployment's address, under the company's sender name if it set
    one ("Northwind Hiring <no-reply@…>")."""
    _, address = parseaddr(mail_from)
    return formataddr((name, address)) if name and address else mail_from
