"""Retention: candidates' personal data goes when the promised period is over (DESIGN.md §8).

:func:`purge` anonymizes, through the same :func:`screening.erasure.anonymize_candidate` as
the candidate's own erasure link,

- candidates whose every application has been idle for ``retention_days``: idle since the
  latest of its start, its submission, its interviews (scorecards) and its decisions;
- candidates who started but never submitted, ``abandoned_days`` after they started.

Hires (an accepted offer) are employees: their data is HR's, so the purge leaves them. It runs
in the caller's unit of work, a batch of candidates at a time, and a second run finds nothing
more to do. The scheduler calls it daily; ``onramp retention purge`` runs it by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session

from core.clock import Clock
from core.companies import Company
from screening.erasure import Erasure, ErasureReason, anonymize_candidate
from screening.models import Application, Candidate, Decision, Opening, Scorecard

log = logging.getLogger(__name__)

BATCH_SIZE = 200


@dataclass(frozen=True)
class PurgeResult:
    """What one purge did, in counts (nothing that identifies anyone)."""

    expired: int  # candidates anonymized because the retention period was over
    abandoned: int  # candidates anonymized because they started but never submitted
    texts_scrubbed: int  # decision reasons and scorecards that lost a name or quotation
    needs_review: int  # reasons and scorecards marked for a person to read again

    @property
    def candidates(self) -> int:
        return self.expired + self.abandoned


def purge(
    session: Session,
    clock: Clock,
    retention_days: int,
    abandoned_days: int,
    *,
    batch_size: int = BATCH_SIZE,
) -> PurgeResult:
    """Anonymize every candidate whose time is up (see the module docstring)."""
    now = clock.now()
    abandoned, expired = _Tally(), _Tally()
    passes = [
        (ErasureReason.ABANDONED, _in_progress(now - timedelta(days=abandoned_days)), abandoned)
    ]
    for days, company_ids in _retention_periods(session, retention_days).items():
        # An application of a company with another period keeps its candidate in this pass.
        elsewhere = Application.opening_id.not_in(
            select(Opening.id).where(Opening.company_id.in_(company_ids))
        )
        passes.append(
            (ErasureReason.RETENTION, or_(elsewhere, _in_use(now - timedelta(days=days))), expired)
        )
    for reason, keeps, tally in passes:
        for erasure in _anonymize_due(session, clock, keeps, reason, batch_size):
            tally.add(erasure)
    result = PurgeResult(
        expired=expired.candidates,
        abandoned=abandoned.candidates,
        texts_scrubbed=abandoned.texts_scrubbed + expired.texts_scrubbed,
        needs_review=abandoned.needs_review + expired.needs_review,
    )
    log.info(
        "retention purge",
        extra={
            "expired": result.expired,
            "abandoned": result.abandoned,
            "texts_scrubbed": result.texts_scrubbed,
            "needs_review": result.needs_review,
        },
    )
    return result


def _retention_periods(session: Session, default_days: int) -> dict[int, list[int]]:
    """Company ids by retention period: a company's own setting, else the deployment's."""
    periods: dict[int, list[int]] = {}
    for company_id, days in session.execute(select(Company.id, Company.retention_days)):
        periods.setdefault(days or default_days, []).append(company_id)
    return periods


def _in_progress(cutoff: datetime) -> Any:
    """An application that keeps its candidate out of the abandoned purge."""
    return or_(Application.status != "started", Application.started_at >= cutoff)


def _in_use(cutoff: datetime) -> Any:
    """An application that keeps its candidate out of the retention purge: a hire, or any
    activity on or after ``cutoff``."""
    return or_(
        Application.decision == "offer_accepted",
        Application.started_at >= cutoff,
        Application.submitted_at >= cutoff,
        exists().where(Decision.application_id == Application.id, Decision.decided_at >= cutoff),
        exists().where(
            Scorecard.application_id == Application.id, Scorecard.submitted_at >= cutoff
        ),
    )


@dataclass
class _Tally:
    candidates: int = 0
    texts_scrubbed: int = 0
    needs_review: int = 0

    def add(self, erasure: Erasure) -> None:
        self.candidates += 1
        self.texts_scrubbed += erasure.texts_scrubbed
        self.needs_review += erasure.needs_review


def _anonymize_due(
    session: Session, clock: Clock, keeps: Any, reason: ErasureReason, batch_size: int
) -> Iterator[Erasure]:
    """Anonymize, a batch at a time, the candidates none of whose applications ``keeps``."""
    after = 0
    while ids := _due(session, keeps, after, batch_size):
        for candidate in session.scalars(
            select(Candidate).where(Candidate.id.in_(ids)).order_by(Candidate.id)
        ):
            erasure = anonymize_candidate(session, clock, candidate, reason)
            if erasure is not None:
                yield erasure
        session.flush()  # flushed rows are no longer held by the session: memory stays flat
        after = ids[-1]


def _due(session: Session, keeps: Any, after: int, limit: int) -> list[int]:
    """The next candidate ids past ``after`` not yet erased and with no application that
    ``keeps`` them (one pass over applications, grouped per candidate)."""
    return list(
        session.scalars(
            select(Application.candidate_id)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .where(Candidate.erased_at.is_(None), Application.candidate_id > after)
            .group_by(Application.candidate_id)
            .having(func.sum(case((keeps, 1), else_=0)) == 0)
            .order_by(Application.candidate_id)
            .limit(limit)
        )
    )
