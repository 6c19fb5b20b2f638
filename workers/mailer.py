"""Outgoing email over SMTP. Subjects never carry candidate PII; bodies link to the app."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr

from core.notices import Notice
from core.settings import Settings


def send(settings: Settings, notice: Notice, message_id: str) -> None:
    """Send one message; raises OSError / smtplib.SMTPException for the caller to retry.

    ``message_id`` is the delivery's stable id, so a resend after a crash carries the same
    Message-ID and mail clients (and our tests) recognise it as the same message."""
    message = EmailMessage()
    message["From"] = sender(settings.mail_from, notice.sender_name)
    message["To"] = notice.to
    message["Subject"] = notice.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id
    message.set_content(notice.text)
    if notice.ics:
        message.add_attachment(
            notice.ics.encode(), maintype="text", subtype="calendar", filename="invite.ics"
        )
    smtp_class = smtplib.SMTP_SSL if settings.smtp_ssl else smtplib.SMTP
    with smtp_class(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
    ) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)


def sender(mail_from: str, name: str) -> str:
    """The From header: the deployment's address, under the company's sender name if it set
    one ("Northwind Hiring <no-reply@…>")."""
    _, address = parseaddr(mail_from)
    return formataddr((name, address)) if name and address else mail_from
