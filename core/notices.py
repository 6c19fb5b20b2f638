"""What an outgoing notice says: a recipient, a subject and a plain-text body from a template.

Each context keeps its email templates beside its code (``screening/emails``,
``onboarding/emails``). A template has two blocks, ``subject`` and ``body``, so the words of
an email live in one file that a non-programmer can read and change. Subjects never carry
candidate PII; bodies link to the app rather than copy personal data into mailboxes. The one
name in a subject is a new hire's first name in their own manager's onboarding emails: by then
the person is a colleague, and a week of identical subjects could not be told apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined


@dataclass(frozen=True)
class Notice:
    to: str
    subject: str
    text: str
    ics: str | None = None  # a calendar invite for meeting steps
    sender_name: str = ""  # the company's display name on From; empty: the deployment's


@cache
def _environment(package: str) -> Environment:
    # Plain text, so no HTML autoescaping; StrictUndefined turns a missing value into an error
    # at send time (a failed delivery an admin can see) rather than a blank in a sent email.
    return Environment(  # noqa: S701 - text/plain emails, not HTML
        loader=PackageLoader(package, "emails"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(
    package: str,
    template: str,
    to: str,
    ics: str | None = None,
    sender_name: str = "",
    **context: object,
) -> Notice:
    """Render ``<package>/emails/<template>.txt`` into a notice for ``to``, sent in the name
    of ``sender_name`` (a company's, from its settings) when given."""
    compiled = _environment(package).get_template(f"{template}.txt")
    values = compiled.new_context(dict(context))
    subject = " ".join("".join(compiled.blocks["subject"](values)).split())
    body = "".join(compiled.blocks["body"](values)).strip() + "\n"
    return Notice(to=to, subject=subject, text=body, ics=ics, sender_name=sender_name)


def first_name(full_name: str, fallback: str = "there") -> str:
    """The first word of a name, or a friendly fallback for a blank one (a blank name once
    made every step email raise IndexError)."""
    parts = full_name.split()
    return parts[0] if parts else fallback
