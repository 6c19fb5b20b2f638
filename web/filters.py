"""Jinja filters shared by every audience's templates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, url_for

STEP_KIND_LABELS = {
    "read_ack": "Read and confirm",
    "quiz": "Quiz",
    "reflection": "Reflection",
    "task": "Task",
    "meeting": "Meeting",
    "pulse": "Check-in",
}


def local(moment: datetime | None, tz: str, fmt: str = "%a %d %b %Y") -> str:
    """Stored times are UTC; people read them in their company's zone (a 17:00 deadline in
    Los Angeles is 01:00 UTC the next day)."""
    return moment.astimezone(ZoneInfo(tz)).strftime(fmt) if moment else ""


def day(moment: datetime | str | None, tz: str = "UTC") -> str:
    """A day as people write it, "Mon 3 Mar", with the year when it is not this year. Takes
    a stored UTC time (read in ``tz``) or an ISO date such as a start date."""
    if not moment:
        return ""
    from web import extensions

    local_day = (
        date.fromisoformat(moment)
        if isinstance(moment, str)
        else moment.astimezone(ZoneInfo(tz)).date()
    )
    text = f"{local_day:%a} {local_day.day} {local_day:%b}"
    this_year = extensions.clock().now().astimezone(ZoneInfo(tz)).year
    return text if local_day.year == this_year else f"{text} {local_day.year}"


def accent_stylesheet(colour: str | None) -> str:
    """The URL of the stylesheet that paints a company's pages in its accent colour (a
    stylesheet, since the CSP allows no inline styles)."""
    from web.candidate import theme

    return url_for("candidate.theme_css", key=theme.accent_key(colour))


def init_app(app: Flask) -> None:
    app.add_template_global(accent_stylesheet, "accent_stylesheet")
    app.add_template_filter(local, "local")
    app.add_template_filter(day, "day")
    app.add_template_filter(lambda kind: STEP_KIND_LABELS.get(kind, kind), "step_kind")
