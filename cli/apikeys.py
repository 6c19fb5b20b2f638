"""`onramp apikey create|list|revoke`: API keys for an ATS or HR system, from the command line.

The command-line twin of the admin page "API keys" (:mod:`core.api_keys`). ``create`` prints the key
alone on standard output, once, so a script can capture it; nothing can show it again.
"""

from __future__ import annotations

from typing import NoReturn

import click

from core import api_keys
from core.clock import Clock, clock_for
from core.companies import company_by_slug
from core.db import Database
from core.errors import DomainError

EXIT_REFUSED = 2  # the input is wrong, not the tool (like `onramp definitions`)


@click.group("apikey")
def apikey_group() -> None:
    """API keys: how other systems call /api/v1 for one company."""


def _database() -> tuple[Database, Clock]:
    from cli.main import load_settings  # cli.main imports this module when it starts

    settings = load_settings()
    return Database(settings.database_url), clock_for(settings)


@apikey_group.command("create")
@click.option("--company", "company_slug", required=True, help="The company's slug.")
@click.option(
    "--scope",
    type=click.Choice([scope.value for scope in api_keys.ApiScope]),
    default="read",
    show_default=True,
    help="read: look only; write: also create openings, decisions and hires.",
)
@click.option("--name", default="Command line", show_default=True, help="What uses the key.")
def create(company_slug: str, scope: str, name: str) -> None:
    """Make a key and print it (shown this once)."""
    database, clock = _database()
    try:
        with database.unit_of_work() as session:
            company = company_by_slug(session, company_slug)
            issued = api_keys.create_key(
                session, clock, company_id=company.id, name=name, scope=scope
            )
            shown_as, text = issued.key.shown_as, issued.text
    except DomainError as refused:
        _fail(str(refused))
    finally:
        database.dispose()
    click.echo(
        f"{scope} key {shown_as} for {company_slug}; store it now, it is not shown again:", err=True
    )
    click.echo(text)


@apikey_group.command("list")
@click.option("--company", "company_slug", required=True, help="The company's slug.")
def list_keys(company_slug: str) -> None:
    """The company's keys: id, scope, name, last use, and whether revoked."""
    database, _ = _database()
    try:
        with database.unit_of_work() as session:
            company = company_by_slug(session, company_slug)
            for key in api_keys.keys_of(session, company.id):
                used = f"{key.last_used_at:%Y-%m-%d %H:%M} UTC" if key.last_used_at else "never"
                state = "revoked" if key.revoked_at else "active"
                click.echo(
                    f"{key.id}\t{key.shown_as}\t{key.scope}\t{state}\tlast used {used}\t{key.name}"
                )
    except DomainError as refused:
        _fail(str(refused))
    finally:
        database.dispose()


@apikey_group.command("revoke")
@click.option("--company", "company_slug", required=True, help="The company's slug.")
@click.argument("key_id", type=click.IntRange(1, 2**31 - 1))
def revoke(company_slug: str, key_id: int) -> None:
    """Stop a key working now (its id is in `onramp apikey list`)."""
    database, clock = _database()
    try:
        with database.unit_of_work() as session:
            company = company_by_slug(session, company_slug)
            revoked = api_keys.revoke(session, clock, company.id, key_id)
    except DomainError as refused:
        _fail(str(refused))
    finally:
        database.dispose()
    click.echo(f"key {key_id} revoked" if revoked else f"key {key_id} was already revoked")


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(EXIT_REFUSED)
