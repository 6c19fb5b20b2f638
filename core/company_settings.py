"""A workspace's own settings, changed by its admins: the rules, and the one way to apply them.

What candidates, new hires and email recipients see comes from here: the name, the customer
promise and mission on the pre-screen's landing page, the address for accommodation requests,
the sender name on outgoing email, the time zone onboarding steps are timed in.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from core import audit
from core.clock import Clock
from core.companies import Company
from core.errors import DomainError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = dict(
    zip(
        WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# Candidates' data is kept at least this long (the deployment's minimum too) and at most ten
# years; the audit log has its own, longer period.
RETENTION_MIN_DAYS, RETENTION_MAX_DAYS = 30, 3650
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
LIMITS = {
    "name": 120,
    "promise": 400,
    "mission": 600,
    "contact_email": 254,
    "sender_name": 80,
    "outcome_advance_message": 1000,
    "outcome_reject_message": 1000,
}


@dataclass(frozen=True)
class CompanySettings:
    name: str
    promise: str
    mission: str
    accent_color: str
    timezone: str
    working_days: tuple[str, ...]
    retention_days: int | None  # None: the deployment's ONRAMP_RETENTION_DAYS
    contact_email: str
    sender_name: str
    # Optional emails to a candidate when a person records advance / reject; empty: none.
    outcome_advance_message: str = ""
    outcome_reject_message: str = ""
    # Opt-in: after a decision, candidates may open a developmental report (never a score).
    feedback_reports: bool = False


class InvalidSettings(DomainError):
    """Settings the rules refuse; ``problems`` says what is wrong with each field."""

    status_code = 422

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__(" ".join(problems.values()))


def settings_of(company: Company) -> CompanySettings:
    return CompanySettings(
        name=company.name,
        promise=company.promise,
        mission=company.mission,
        accent_color=company.accent_color,
        timezone=company.timezone,
        working_days=tuple(day for day in company.working_days.split(",") if day),
        retention_days=company.retention_days,
        contact_email=company.contact_email,
        sender_name=company.sender_name,
        outcome_advance_message=company.outcome_advance_message,
        outcome_reject_message=company.outcome_reject_message,
        feedback_reports=company.feedback_reports,
    )


@cache
def timezones() -> tuple[str, ...]:
    """Every IANA time zone name, sorted (read from the tz database once)."""
    return tuple(sorted(available_timezones()))


def problems_with(settings: CompanySettings) -> dict[str, str]:
    """Every rule the settings break, by field; empty when they can be saved."""
    problems: dict[str, str] = {}
    if not settings.name.strip():
        problems["name"] = "Give the company a name."
    if not settings.promise.strip():
        problems["promise"] = "Write the customer promise candidates read first."
    for field, limit in LIMITS.items():
        if len(getattr(settings, field)) > limit:
            problems[field] = f"Keep it to {limit} characters."
    if not COLOUR.fullmatch(settings.accent_color):
        problems["accent_color"] = "Write the colour as # and six hex digits, e.g. #1d5c8c."
    if not _is_zone(settings.timezone):
        problems["timezone"] = (
            f"{settings.timezone!r} is not a time zone we know. Use a name like "
            "Europe/Berlin or America/New_York."
        )
    if not settings.working_days:
        problems["working_days"] = "Choose at least one working day."
    elif any(day not in WEEKDAYS for day in settings.working_days):
        problems["working_days"] = "Choose days of the week."
    if settings.retention_days is not None and not (
        RETENTION_MIN_DAYS <= settings.retention_days <= RETENTION_MAX_DAYS
    ):
        problems["retention_days"] = (
            f"Keep candidates' data between {RETENTION_MIN_DAYS} and {RETENTION_MAX_DAYS} days, "
            "or leave it empty for the default."
        )
    if settings.contact_email:
        try:
            validate_email(settings.contact_email, check_deliverability=False)
        except EmailNotValidError:
            problems["contact_email"] = "That does not look like an email address."
    if _CONTROL.search(settings.sender_name) or any(c in settings.sender_name for c in "<>@"):
        problems["sender_name"] = "Use a plain name, without an address or special characters."
    return problems


def update_settings(
    session: Session, clock: Clock, company: Company, settings: CompanySettings, *, by: int
) -> list[str]:
    """Apply the settings (InvalidSettings with every problem otherwise); audit the fields that
    changed (their names, not their values) and return them."""
    settings = _tidied(settings)
    problems = problems_with(settings)
    if problems:
        raise InvalidSettings(problems)
    before = asdict(settings_of(company))
    after = asdict(settings)
    changed = [field for field, value in after.items() if before[field] != value]
    if not changed:
        return []
    for field in changed:
        value = after[field]
        setattr(company, field, ",".join(value) if field == "working_days" else value)
    audit.record(
        session,
        clock,
        actor=f"user:{by}",
        action="company.settings_changed",
        subject_type="company",
        subject_id=company.id,
        fields=changed,
    )
    return changed


def _tidied(settings: CompanySettings) -> CompanySettings:
    days = set(settings.working_days)
    return CompanySettings(
        name=settings.name.strip(),
        promise=settings.promise.strip(),
        mission=settings.mission.strip(),
        accent_color=settings.accent_color.strip().lower(),
        timezone=settings.timezone.strip(),
        working_days=tuple(day for day in WEEKDAYS if day in days)
        + tuple(sorted(day for day in days if day not in WEEKDAYS)),
        retention_days=settings.retention_days,
        contact_email=settings.contact_email.strip().lower(),
        sender_name=" ".join(settings.sender_name.split()),
        outcome_advance_message=settings.outcome_advance_message.strip(),
        outcome_reject_message=settings.outcome_reject_message.strip(),
        feedback_reports=settings.feedback_reports,
    )


def _is_zone(name: str) -> bool:
    if not name or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return name in _zone_names() or name == "UTC"


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(timezones())
