"""The insight pages' filters: an opening of the admin's company and a range of start dates.

By default every opening over the last 12 months. A filter that cannot be used is named with
what to write instead, kept as typed, and the page shows the defaults' numbers (422).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import request

from screening.analytics.queries import Scope

DEFAULT_DAYS = 365


@dataclass(frozen=True)
class Filters:
    opening_id: int | None
    since: date
    until: date  # inclusive
    typed: dict[str, str]  # what the admin typed, shown back in the form
    errors: dict[str, str]

    def scope(self, company_id: int) -> Scope:
        return Scope(
            company_id=company_id,
            opening_id=self.opening_id,
            since=datetime.combine(self.since, time(), UTC),
            until=datetime.combine(self.until + timedelta(days=1), time(), UTC),
        )

    def query(self) -> dict[str, str]:
        """The filters as URL arguments, for the CSV links and the page tabs."""
        values = {"since": self.since.isoformat(), "until": self.until.isoformat()}
        if self.opening_id is not None:
            values["opening"] = str(self.opening_id)
        return values


def parse(today: date, openings: dict[int, str]) -> Filters:
    typed = {name: request.args.get(name, "").strip() for name in ("opening", "since", "until")}
    errors: dict[str, str] = {}
    opening_id = None
    if typed["opening"]:
        if typed["opening"].isdigit() and int(typed["opening"]) in openings:
            opening_id = int(typed["opening"])
        else:
            errors["opening"] = "Choose one of your openings, or all openings."
    default_since = today - timedelta(days=DEFAULT_DAYS)
    since = _date(typed["since"], default_since, "since", errors)
    until = _date(typed["until"], today, "until", errors)
    if since > until and "since" not in errors and "until" not in errors:
        errors["until"] = "The end date must not be before the start date."
    if errors:  # show the defaults' numbers under the admin's own (refused) input
        since, until = default_since, today
    return Filters(opening_id, since, until, typed, errors)


def _date(text: str, default: date, name: str, errors: dict[str, str]) -> date:
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = "Write the date as year-month-day, for example 2026-01-31."
        return default
