"""`onramp mail` lists the mail catcher's messages, numbered; `onramp mail show N` reads one."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import main


def _message(to: str, subject: str, date: str, text: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "onramp@example.test"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = date
    message.set_content(text)
    message.add_alternative(f"<p>{text}</p>", subtype="html")
    return message


@pytest.fixture
def maildir(tmp_path: Path) -> Path:
    path = tmp_path / "mail"
    box = mailbox.Maildir(path, create=True)
    # Added newest first: the numbering follows the Date header, not the file order.
    box.add(_message("b@example.test", "Your packet", "Tue, 24 Nov 2026 09:00:00 +0000", "B"))
    box.add(
        _message(
            "a@example.test",
            "Thanks for applying",
            "Mon, 23 Nov 2026 09:00:00 +0000",
            "Hello A,\nwe received your application.",
        )
    )
    return path


def _onramp(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_mail_without_a_subcommand_lists_the_messages_numbered_oldest_first(
    maildir: Path,
) -> None:
    result = _onramp("mail", "--maildir", str(maildir))

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[0] == "1" and "Thanks for applying" in lines[0]
    assert lines[1].split()[0] == "2" and "Your packet" in lines[1]
    assert lines[2] == f"2 message(s) in {maildir}"
    assert _onramp("mail", "list", "--maildir", str(maildir)).output == result.output


def test_mail_show_prints_the_headers_and_the_text_body(maildir: Path) -> None:
    result = _onramp("mail", "show", "1", "--maildir", str(maildir))

    assert result.exit_code == 0, result.output
    assert result.output == (
        "From:    onramp@example.test\n"
        "To:      a@example.test\n"
        "Subject: Thanks for applying\n"
        "Date:    Mon, 23 Nov 2026 09:00:00 +0000\n"
        "\n"
        "Hello A,\nwe received your application.\n"
    )


def test_the_maildir_may_be_given_to_the_group(maildir: Path) -> None:
    result = _onramp("mail", "--maildir", str(maildir), "show", "2")

    assert result.exit_code == 0, result.output
    assert "Subject: Your packet" in result.output


def test_showing_a_message_past_the_last_says_how_many_there_are(maildir: Path) -> None:
    result = _onramp("mail", "show", "3", "--maildir", str(maildir))

    assert result.exit_code == 1
    assert "no message 3: 2 message(s)" in result.output


def test_no_maildir_yet_is_one_clear_line(tmp_path: Path) -> None:
    result = _onramp("mail", "show", "1", "--maildir", str(tmp_path / "none"))

    assert result.exit_code == 1
    assert "no mail caught yet" in result.output
