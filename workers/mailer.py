"""Outgoing email over SMTP. Subjects never carry candidate PII; bodies link to the app."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from core.settings import Settings


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    # A stable Message-ID lets mail clients drop the rare duplicate of a retried send.
    message_id: str
    ics: str | None = None


def send(settings: Settings, email: Email) -> None:
    """Send one message; raises OSError / smtplib.SMTPException for the caller to retry."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = email.message_id
    message.set_content(email.text)
    if email.ics:
        message.add_attachment(
            email.ics.encode(), maintype="text", subtype="calendar", filename="invite.ics"
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
