"""`onramp definitions check|publish`: customizable documents from the command line.

The twins of the admin workspace's editor: ``check`` reports every problem of an assessment,
question bank or onboarding sequence as ``PATH:LINE: path: reason`` (exit 2), like compilers
do; ``publish`` stores one as a new immutable version for a company, through the same domain
functions as the editor (``screening.customization``, ``onboarding.customization``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import click
from sqlalchemy.orm import Session

from core import definitions
from core.clock import Clock, clock_for
from core.companies import Company, company_by_slug
from core.db import Database
from core.definition_versions import Unchanged
from core.definitions import DefinitionError, DocumentKind, Problem
from core.errors import Conflict, NotFound
from onboarding import customization as onboarding_customization
from onboarding.sequence import SEQUENCE
from screening import bank_customization
from screening import customization as screening_customization
from screening.definition import ASSESSMENT
from screening.question_bank import QUESTION_BANK

# The documents people customize, by the name they are given on the command line.
KINDS: dict[str, DocumentKind[Any]] = {
    kind.name: kind for kind in (ASSESSMENT, QUESTION_BANK, SEQUENCE)
}
KIND_HELP = "The kind of document; told from its content when not given."
EXIT_PROBLEMS = 2  # like compilers and linters: the input is wrong, not the tool


@click.group("definitions")
def definitions_group() -> None:
    """Check and publish assessments, question banks and onboarding sequences."""


@definitions_group.command("check")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kind", "kind_name", type=click.Choice(sorted(KINDS)), help=KIND_HELP)
def check(path: Path, kind_name: str | None) -> None:
    """Report every problem of a definition at its line (exit 2), or say it is ok."""
    kind, definition = _read(path, kind_name)
    click.echo(f"{path}: ok ({kind.name} {definition.key} v{definition.version})")


@definitions_group.command("publish")
@click.option("--company", "company_slug", required=True, help="The company's slug.")
@click.option(
    "--next-version",
    is_flag=True,
    help="Publish as one more than the highest published version of this key (the file's "
    "own number when none is published yet), whatever number the file says.",
)
@click.option("--kind", "kind_name", type=click.Choice(sorted(KINDS)), help=KIND_HELP)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def publish(path: Path, company_slug: str, next_version: bool, kind_name: str | None) -> None:
    """Publish a definition as a new immutable version for a company.

    An assessment reaches the openings that are moved to it (applications already started
    keep theirs); a question bank or a sequence becomes the company's current one at once
    (packets built and hires enrolled from then on use it).
    """
    from cli.main import load_settings  # cli.main imports this module when it starts

    kind, _ = _read(path, kind_name)
    text = definitions.read_text(path)
    settings = load_settings()
    database = Database(settings.database_url)
    try:
        with database.unit_of_work() as session:
            try:
                company = company_by_slug(session, company_slug)
            except NotFound:
                _fail(f"no company with the slug {company_slug!r}")
            key, version = _publish(
                session, clock_for(settings), company, kind, text, str(path), next_version
            )
    except Unchanged as exc:
        click.echo(
            f"{kind.name} {exc.key} v{exc.version}: already published for {company_slug} "
            "with this content; nothing changed"
        )
        return
    except DefinitionError as exc:  # the company's own rules, e.g. a bank missing a dimension
        for problem in exc.problems:
            click.echo(problem.at(str(path)))
        raise SystemExit(EXIT_PROBLEMS) from None
    except Conflict as exc:
        _fail(f"{path}: {exc}; change 'version:' in the file, or pass --next-version")
    finally:
        database.dispose()
    click.echo(f"{kind.name} {key} v{version}: published for {company_slug} ({AFTER[kind.name]})")


AFTER = {
    ASSESSMENT.name: "openings keep the version they use",
    QUESTION_BANK.name: "packets built from now on use it",
    SEQUENCE.name: "hires enrolled from now on follow it",
}


def _publish(
    session: Session,
    clock: Clock,
    company: Company,
    kind: DocumentKind[Any],
    text: str,
    source: str,
    next_version: bool,
) -> tuple[str, int]:
    """Through the same domain functions as the admin pages; the key and the new version."""
    own_number = not next_version
    if kind is ASSESSMENT:
        published = screening_customization.publish_assessment(
            session, clock, company, text, published_by=None, source=source, own_number=own_number
        ).version
        return published.key, published.version
    publish_document = (
        bank_customization.publish_bank
        if kind is QUESTION_BANK
        else onboarding_customization.publish_sequence
    )
    row = publish_document(
        session, clock, company.id, text, published_by=None, source=source, own_number=own_number
    )
    return row.key, row.version


def _read(path: Path, kind_name: str | None) -> tuple[DocumentKind[Any], Any]:
    """The kind and the validated definition; every problem printed and exit 2 otherwise."""
    source = str(path)
    try:
        text = definitions.read_text(path)
        kind = KINDS[kind_name] if kind_name else _recognize(text, source)
        return kind, kind.parse_text(text, source)
    except DefinitionError as exc:
        for problem in exc.problems:
            click.echo(problem.at(source))
        raise SystemExit(EXIT_PROBLEMS) from None


def _recognize(text: str, source: str) -> DocumentKind[Any]:
    document = definitions.parse_yaml(text, source)
    if isinstance(document.data, dict):
        for kind in KINDS.values():
            if kind.recognizes(document.data):
                return kind
    line = None if document.root is None else document.root.start_mark.line + 1
    reason = (
        "cannot tell what kind of document this is (an assessment has 'pages', a sequence "
        "'steps', a question bank a mapping of 'dimensions'); pass --kind "
        + "|".join(sorted(KINDS))
    )
    raise DefinitionError(source, [Problem("", reason, line, 1 if line else None)])


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(EXIT_PROBLEMS)
