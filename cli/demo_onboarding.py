"""`onramp demo --hires N --days D`: accept offers as the demo manager, then move the shared
clock day by day while the new hires and their manager complete what arrives."""

from __future__ import annotations

import random
import re
import time as timer
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
from rich.progress import Progress

from cli.demo import fill, parse_form

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
PRESTART_DAYS = 7  # offers start a week out, so preboarding steps show up too


class Staff:
    """A signed-in staff browser session (cookies + CSRF token)."""

    def __init__(self, base_url: str, email: str, password: str) -> None:
        self.client = httpx.Client(base_url=base_url, follow_redirects=True, timeout=30)
        page = self.client.get("/login")
        response = self.client.post(
            "/login", data={"csrf_token": _csrf(page.text), "email": email, "password": password}
        )
        if "/login" in str(response.url.path):
            raise RuntimeError(f"could not sign in as {email}; run `onramp seed-demo` first")

    def post_form(self, path: str, data: dict[str, str]) -> httpx.Response:
        page = self.client.get("/manager/")
        return self.client.post(path, data={"csrf_token": _csrf(page.text), **data})

    def api(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        page = self.client.get("/manager/")
        response = self.client.request(
            method, path, headers={"X-CSRFToken": _csrf(page.text)}, **kwargs
        )
        response.raise_for_status()
        return response.json()


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    if not found:
        raise RuntimeError("page has no CSRF token")
    return found.group(1)


def accept_offers(manager: Staff, count: int, start: date) -> int:
    dashboard = manager.client.get("/manager/").text
    accepted = 0
    for opening_id in re.findall(r'href="/manager/openings/(\d+)"', dashboard):
        table = manager.client.get(f"/manager/openings/{opening_id}").text
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
            found = re.search(r'/manager/applications/(\d+)"', row)
            if accepted == count or not found or "Offer accepted" in row:
                continue
            response = manager.post_form(
                f"/manager/applications/{found.group(1)}/decision",
                {
                    "decision": "offer_accepted",
                    "start_date": start.isoformat(),
                    "reason": "Demo: offer accepted",
                },
            )
            accepted += response.status_code == 200
    return accepted


def end_of_day(day: date) -> datetime:
    """23:00 UTC on ``day``, or on the Monday after when it falls on a weekend (sequences
    that keep to working days move weekend steps to Monday): late enough that the day's
    09:00 steps have arrived in any time zone from Hawaii to New Zealand."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(23), tzinfo=UTC)


def wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = timer.monotonic() + timeout
    while not predicate():
        if timer.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        timer.sleep(0.2)


def wait_until_due_steps_delivered(admin: Staff) -> None:
    """The scheduler ticks every second or so; wait until it and the worker caught up."""
    wait_for(
        lambda: admin.api("GET", "/api/onboarding/stats")["due_undelivered"] == 0,
        60,
        "due steps to be delivered",
    )


BUDDIES = ("Sam Rivera", "Aisha Khan", "Tom Becker", "Lena Costa")


def complete_open_steps(manager: Staff, admin: Staff, rng: random.Random) -> None:
    """The manager marks their steps done on each hire's page, with the notes a step asks
    for (the buddy's name); each new hire completes what is ready for them (through the
    magic link their emails carry; the demo asks the admin API for it)."""
    dashboard = manager.client.get("/manager/").text
    for hire_id in sorted(set(re.findall(r'href="/manager/hires/(\d+)"', dashboard))):
        page = manager.client.get(f"/manager/hires/{hire_id}").text
        for action in re.findall(r'action="(/manager/hires/\d+/steps/[^"]+)"', page):
            manager.client.post(
                action,
                data={"csrf_token": _csrf(page), "note": rng.choice(BUDDIES), "back": "hire"},
            )
    with httpx.Client(follow_redirects=True, timeout=30) as newhire:
        for portal in admin.api("GET", "/api/onboarding/portal-links")["links"]:
            timeline = newhire.get(portal).text
            for key in re.findall(r'data-open-step="([^"]+)"', timeline):
                page = newhire.get(f"{portal}/steps/{key}")
                newhire.post(str(page.url), data=fill(parse_form(page.text), rng, 0.9))


def run_onboarding(
    base_url: str,
    hires: int,
    days: int,
    logins: tuple[str, str, str],
    seed: int,
    progress: Progress,
) -> dict[str, Any]:
    manager_email, admin_email, password = logins
    manager, admin = (
        Staff(base_url, manager_email, password),
        Staff(base_url, admin_email, password),
    )
    rng = random.Random(seed)
    before = admin.api("GET", "/api/onboarding/stats")
    now = datetime.fromisoformat(before["now"])
    accepted = accept_offers(manager, hires, (now + timedelta(days=PRESTART_DAYS)).date())
    wait_for(
        lambda: (
            admin.api("GET", "/api/onboarding/stats")["enrollments"]
            >= before["enrollments"] + accepted
        ),
        60,
        "the hires to be enrolled",
    )
    start = (now + timedelta(days=PRESTART_DAYS)).date()
    task = progress.add_task("days", total=days + PRESTART_DAYS if days else 0)
    for _ in range(days + PRESTART_DAYS if days else 0):
        admin.api("POST", "/api/clock/advance", json={"days": 1})
        wait_until_due_steps_delivered(admin)
        complete_open_steps(manager, admin, rng)
        progress.advance(task)
    if days:
        # Whole days from "now" end at now's time of day, which can be before the steps of
        # the last day arrive (09:00 local): finish at the end of that day.
        current = datetime.fromisoformat(admin.api("GET", "/api/onboarding/stats")["now"])
        remaining = (end_of_day(start + timedelta(days=days)) - current).total_seconds()
        if remaining > 0:
            admin.api("POST", "/api/clock/advance", json={"days": remaining / 86400})
            wait_until_due_steps_delivered(admin)
            complete_open_steps(manager, admin, rng)
    wait_until_due_steps_delivered(admin)
    stats = admin.api("GET", "/api/onboarding/stats")
    return {
        "hires": accepted,
        "enrollments": stats["enrollments"],
        "steps": stats["steps"],
        "steps_not_yet_due": stats["pending"] - stats["due_undelivered"],
        "steps_due_undelivered": stats["due_undelivered"],
        "steps_completed": stats["completed"],
        "claimed_more_than_once": stats["claimed_more_than_once"],
        "onboarding_ok": accepted == hires
        and stats["claimed_more_than_once"] == 0
        and stats["due_undelivered"] == 0,
    }
