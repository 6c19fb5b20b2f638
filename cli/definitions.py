"""`onramp definitions check|publish`: customizable documents from the command line.

The twins of the admin workspace's editor: ``check`` reports every problem of an assessment,
question bank or onboarding sequence as ``PATH:LINE: path: reason`` (exit 2), like compilers
do; ``publish`` stores an assessment as a new immutable version for a company.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import definitions
from core.clock import Clock, clock_for
from core.companies import Company, company_by_slug
from core.db import Database
from core.definitions import DefinitionError, DocumentKind, Problem
from core.errors import Conflict, NotFound
from onboarding.sequence import SEQUENCE
from screening.applications import publish_definition
from screening.definition import ASSESSMENT, AssessmentDefinition, parse_definition
from screening.models import AssessmentVersion
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

    Openings and the applications already started keep the version they use.
    """
    from cli.main import load_settings  # cli.main imports this module when it starts

    kind, definition = _read(path, kind_name)
    if kind is not ASSESSMENT:
        _fail(
            f"{path}: not yet supported: {kind.name} versions are stored with the company "
            "once the admin workspace lands"
        )
    settings = load_settings()
    database = Database(settings.database_url)
    try:
        with database.unit_of_work() as session:
            try:
                company = company_by_slug(session, company_slug)
            except NotFound:
                _fail(f"no company with the slug {company_slug!r}")
            outcome = _publish_assessment(
                session, clock_for(settings), company, definition, next_version
            )
    except Conflict as exc:
        _fail(f"{path}: {exc}; change 'version:' in the file, or pass --next-version")
    finally:
        database.dispose()
    if outcome.unchanged:
        click.echo(
            f"assessment {outcome.key} v{outcome.version}: already published for "
            f"{company_slug} with this content; nothing changed"
        )
    else:
        click.echo(
            f"assessment {outcome.key} v{outcome.version}: published for {company_slug} "
            "(openings keep the version they use)"
        )


@dataclass(frozen=True)
class _Published:
    key: str
    version: int
    unchanged: bool


def _publish_assessment(
    session: Session,
    clock: Clock,
    company: Company,
    definition: AssessmentDefinition,
    next_version: bool,
) -> _Published:
    if next_version:
        latest = session.scalar(
            select(AssessmentVersion)
            .filter_by(company_id=company.id, key=definition.key)
            .order_by(AssessmentVersion.version.desc())
            .limit(1)
        )
        if latest is not None:
            as_latest = _renumbered(definition, latest.version)
            if as_latest.checksum == latest.checksum:
                return _Published(definition.key, latest.version, unchanged=True)
            definition = _renumbered(definition, latest.version + 1)
    already = session.scalar(
        select(AssessmentVersion.id).filter_by(
            company_id=company.id, key=definition.key, version=definition.version
        )
    )
    version = publish_definition(session, clock, company, definition)
    return _Published(version.key, version.version, unchanged=already is not None)


def _renumbered(definition: AssessmentDefinition, version: int) -> AssessmentDefinition:
    # Parsed again rather than copied: a copy would keep the cached checksum of the original.
    document = {**definition.model_dump(mode="json"), "version": version}
    return parse_definition(document, f"{definition.key} v{version}")


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
