"""`onramp opening create`: the command-line twin of the "New opening" page.

The same rules as the page (:mod:`screening.openings`); it prints the opening's public link
alone on standard output, so a script can capture it, and what it did on standard error.
"""

from __future__ import annotations

from typing import NoReturn

import click

from core.clock import clock_for
from core.companies import company_by_slug
from core.db import Database
from core.errors import DomainError
from screening.openings import InvalidOpening, OpeningDetails, create_opening, latest_version
from screening.openings import public_url as opening_url

EXIT_REFUSED = 2  # the input is wrong, not the tool (like `onramp definitions`)


@click.group("opening")
def opening_group() -> None:
    """Job openings: each has a public link where candidates apply."""


@opening_group.command("create")
@click.option("--company", "company_slug", required=True, help="The company's slug.")
@click.option("--title", required=True, help="The job title candidates see.")
@click.option(
    "--assessment",
    "assessment_key",
    help="Key of the company's assessment to pin (its latest published version); "
    "default: the company's latest published version of any key.",
)
@click.option("--location", default="", help="Where the job is, e.g. 'Leeds' or 'Remote'.")
@click.option("--team", default="", help="The team it is in.")
def create(
    company_slug: str, title: str, assessment_key: str | None, location: str, team: str
) -> None:
    """Open a new opening and print its public link."""
    from cli.main import load_settings  # cli.main imports this module when it starts

    settings = load_settings()
    database = Database(settings.database_url)
    try:
        with database.unit_of_work() as session:
            company = company_by_slug(session, company_slug)
            version_id = None
            if assessment_key is not None:
                version_id = latest_version(session, company.id, assessment_key)
                if version_id is None:
                    _fail(
                        f"company {company.slug} has no published assessment {assessment_key!r}; "
                        "publish it with `onramp definitions publish` first"
                    )
            details = OpeningDetails(
                title=title, team=team, location=location, assessment_version_id=version_id
            )
            opening = create_opening(session, clock_for(settings), company, details)
            slug, opened = opening.slug, opening.title
    except InvalidOpening as refused:
        _fail("; ".join(f"{name}: {message}" for name, message in refused.problems.items()))
    except DomainError as refused:
        _fail(str(refused))
    finally:
        database.dispose()
    click.echo(f"opened “{opened}” for {company_slug}; candidates apply at:", err=True)
    click.echo(opening_url(settings.base_url, slug))


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(EXIT_REFUSED)
