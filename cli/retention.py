"""`onramp retention purge`: anonymize candidates whose retention period is over, by hand.

The scheduler runs the same :func:`screening.retention.purge` daily; this command is for
operators (and ``--dry-run`` shows what it would do without changing anything).
"""

from __future__ import annotations

import click

from core.clock import clock_for
from core.db import Database
from screening.retention import PurgeResult, purge


@click.group()
def retention() -> None:
    """Candidate data retention."""


@retention.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be anonymized; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Anonymize candidates past ONRAMP_RETENTION_DAYS, and abandoned applications past
    ONRAMP_ABANDONED_DAYS (hires are left to HR)."""
    from cli.main import load_settings  # cli.main imports this module when it starts

    settings = load_settings()
    database = Database(settings.database_url)
    try:
        with database.sessions() as session:
            result = purge(
                session, clock_for(settings), settings.retention_days, settings.abandoned_days
            )
            if dry_run:
                session.rollback()
            else:
                session.commit()
    finally:
        database.dispose()
    click.echo(_report(result, settings.retention_days, settings.abandoned_days, dry_run))


def _report(result: PurgeResult, retention_days: int, abandoned_days: int, dry_run: bool) -> str:
    verb = "would be" if dry_run else "were"
    lines = [
        f"{result.expired} candidate(s) {verb} anonymized after {retention_days} days",
        f"{result.abandoned} abandoned application(s) {verb} anonymized after "
        f"{abandoned_days} days",
        f"{result.texts_scrubbed} decision reason(s) and scorecard(s) {verb} scrubbed, "
        f"{result.needs_review} marked for privacy review",
    ]
    if dry_run:
        lines.append("dry run: nothing was changed")
    return "\n".join(lines)
