"""`onramp company create`: start a company's workspace from the command line.

The same path as the demo seed (``screening.seed.start_workspace``): the company, its copy of
the default assessment, and a single-use invitation for its first admin, whose link is printed
here rather than emailed (there is nobody yet to have configured mail for).
"""

from __future__ import annotations

import os
from typing import NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from core.clock import clock_for
from core.db import Database
from core.errors import DomainError
from core.links import invitation_url
from core.settings import DEFAULT_DATA_DIR, Settings

EXIT_REFUSED = 2  # the input is wrong, not the tool (like `onramp definitions`)


@click.group("company")
def company_group() -> None:
    """Companies (workspaces): each has its own staff, openings and careers page."""


@company_group.command("create")
@click.option("--name", required=True, help="The company's name, as candidates see it.")
@click.option("--slug", required=True, help="Short name for its address: /c/<slug>.")
@click.option("--admin-email", required=True, help="Who is invited as the first admin.")
@click.option("--timezone", default="UTC", show_default=True, help="IANA zone, e.g. Europe/Berlin.")
def create(name: str, slug: str, admin_email: str, timezone: str) -> None:
    """Create a company and print its careers page and its first admin's invitation link."""
    from screening.seed import start_workspace

    _check_timezone(timezone)
    settings = _settings()
    database = Database(settings.database_url)
    clock = clock_for(settings)
    try:
        with database.unit_of_work() as session:
            workspace = start_workspace(
                session, clock, name=name, slug=slug, admin_email=admin_email, timezone=timezone
            )
            company, invitation = workspace.company, workspace.admin_invitation
            link = invitation_url(settings, invitation.id, invitation.nonce)
    except DomainError as exc:
        _fail(str(exc))
    finally:
        database.dispose()
    expires = invitation.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    click.echo(f"company {company.slug} created: {company.name}")
    click.echo(f"careers page: {settings.base_url}/c/{company.slug}")
    click.echo(f"admin invitation for {invitation.email} (works once, until {expires}):")
    click.echo(f"  {link}")


def _settings() -> Settings:
    """This deployment's settings. Without ONRAMP_SECRET_KEY, a development checkout signs with
    the key `onramp up` keeps in var/, so the printed link opens on the local server."""
    from cli.main import load_settings  # cli.main imports this module when it starts
    from cli.up import local_secret_key

    settings = load_settings()
    if settings.env == "development" and not (
        os.environ.get("ONRAMP_SECRET_KEY") or os.environ.get("SECRET_KEY")
    ):
        data_dir = DEFAULT_DATA_DIR.resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        settings = load_settings(secret_key=local_secret_key(data_dir))
    return settings


def _check_timezone(timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        _fail(f"unknown time zone {timezone!r}; use an IANA name such as Europe/Berlin")


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(EXIT_REFUSED)
