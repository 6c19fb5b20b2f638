"""How an email is put together: headers that survive any name or subject, a readable body,
and a calendar invite mail clients offer to accept."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

from core.notices import Notice
from core.settings import Settings
from workers.mailer import compose


def _parsed(settings: Settings, notice: Notice) -> EmailMessage:
    raw = compose(settings, notice, "<step_ready-7-9@onramp>").as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_a_non_ascii_subject_and_sender_name_arrive_as_written() -> None:
    settings = Settings(mail_from="no-reply@example.com")
    notice = Notice(
        to="zoe@example.com",
        subject="Onboarding for Zoë: Café tour",
        text="Bonjour Zoë,\nsee you at the café.\n",
        sender_name="Café Núñez Hiring",
    )
    message = _parsed(settings, notice)
    assert message["Subject"] == "Onboarding for Zoë: Café tour"
    assert message["From"].addresses[0].display_name == "Café Núñez Hiring"
    assert message["From"].addresses[0].addr_spec == "no-reply@example.com"
    assert message["Message-ID"] == "<step_ready-7-9@onramp>"
    assert message.get_content() == "Bonjour Zoë,\nsee you at the café.\n"


def test_a_meeting_invite_is_a_calendar_request_attachment() -> None:
    ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    notice = Notice(to="ada@example.com", subject="Meet", text="Hello\n", ics=ics)
    message = _parsed(Settings(), notice)
    assert message.get_body(("plain",)).get_content() == "Hello\n"  # type: ignore[union-attr]
    [invite] = list(message.iter_attachments())
    assert invite.get_content_type() == "text/calendar"
    assert invite.get_param("method") == "REQUEST"
    assert invite.get_filename() == "invite.ics"
    assert invite.get_content().replace("\r\n", "\n") == ics.replace("\r\n", "\n")


def test_an_address_that_is_not_ascii_gets_a_message_smtputf8_can_carry() -> None:
    notice = Notice(to="zoë@exämple.com", subject="Hello", text="Hi\n")
    message = compose(Settings(), notice, "<x-1-1@onramp>")
    assert isinstance(message, EmailMessage)
    assert message["To"] == "zoë@exämple.com"
