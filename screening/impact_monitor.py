"""The continuous adverse-impact monitor: a daily look at the impact ratios, an alert per episode.

Once a day (the scheduler) each company's selection (recommended to advance) and LL144
scoring ratios are recomputed over a rolling window of applications (``impact_window_days``).
A ratio strictly below 0.80 counts only when the category *and* the reference category (the
one with the highest rate) each hold at least ``impact_min_group`` candidates: smaller groups
swing too widely to alert anyone about.

An **episode** is an open (unacknowledged) alert. While one is open nothing new is raised, so
running the check twice a day (or on two schedulers) sends one email to each admin; the
deliveries are keyed by alert and recipient, so a repeat is a no-op too. Admins see a banner
until one of them acknowledges the alert; after that, a new alert opens only when the set of
flagged categories changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import deliveries
from core.accounts import Role, User
from core.clock import Clock
from core.companies import Company
from core.deliveries import NoticeKind
from screening.analytics import queries
from screening.analytics.fairness import (
    SMALL_CATEGORY_SHARE,
    ImpactReport,
    scoring_impact,
    selection_impact,
)
from screening.analytics.queries import Scope, SelectionBasis
from screening.impact_alerts import AdverseImpactAlert
from screening.self_identification import Grouping

GROUPINGS = (Grouping.SEX, Grouping.RACE_ETHNICITY)


@dataclass(frozen=True)
class Finding:
    rate: str  # "selection" or "scoring"
    category: tuple[str, ...]
    n: int
    reference: tuple[str, ...]
    reference_n: int
    ratio: float

    def as_json(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "category": list(self.category),
            "n": self.n,
            "reference": list(self.reference),
            "reference_n": self.reference_n,
            "ratio": round(self.ratio, 4),
        }


def findings(report: ImpactReport, min_group: int) -> list[Finding]:
    """The report's ratios below 0.80 where both groups hold at least ``min_group``."""
    found = []
    for table in report.tables:
        rated = [c for c in table.categories if c.impact_ratio is not None]
        if not rated:
            continue
        reference = max((c for c in rated if c.impact_ratio == 1), key=lambda c: c.n, default=None)
        if reference is None or reference.n < min_group:
            continue
        for category in table.flagged:
            if category.n >= min_group and category.impact_ratio is not None:
                found.append(
                    Finding(
                        report.kind.value,
                        category.values,
                        category.n,
                        reference.values,
                        reference.n,
                        float(category.impact_ratio),
                    )
                )
    return found


def check_company(
    session: Session, clock: Clock, company_id: int, window_days: int, min_group: int
) -> AdverseImpactAlert | None:
    """Recompute one company's ratios; open an alert (and ask for one email per admin) when
    there are findings and no open alert, or the findings changed since the last one. Returns
    the alert opened now, if any."""
    now = clock.now()
    scope = Scope(company_id=company_id, since=now - timedelta(days=window_days))
    reports = (
        selection_impact(
            queries.selection_records(session, scope, SelectionBasis.RECOMMENDATION),
            GROUPINGS,
            small_category_share=SMALL_CATEGORY_SHARE,
        ),
        scoring_impact(
            queries.score_records(session, scope),
            GROUPINGS,
            small_category_share=SMALL_CATEGORY_SHARE,
        ),
    )
    found = [f.as_json() for report in reports for f in findings(report, min_group)]
    if not found:
        return None
    latest = session.scalar(
        select(AdverseImpactAlert)
        .where(AdverseImpactAlert.company_id == company_id)
        .order_by(AdverseImpactAlert.id.desc())
        .limit(1)
        .with_for_update()
    )
    if latest is not None and (
        latest.acknowledged_at is None or _same(latest.findings["flagged"], found)
    ):
        return None
    alert = AdverseImpactAlert(company_id=company_id, opened_at=now, findings={"flagged": found})
    session.add(alert)
    session.flush()
    admins = session.scalars(
        select(User.id).where(
            User.company_id == company_id, User.role == Role.ADMIN, User.is_active.is_(True)
        )
    ).all()
    for admin_id in admins:
        deliveries.request(
            session,
            clock,
            NoticeKind.ADVERSE_IMPACT,
            alert.id,
            admin_id,
            company_id=company_id,
            announce=True,
        )
    return alert


def _same(before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]]) -> bool:
    def keys(rows: Sequence[dict[str, Any]]) -> set[tuple[str, tuple[str, ...]]]:
        return {(row["rate"], tuple(row["category"])) for row in rows}

    return keys(before) == keys(after)


def check_all(session: Session, clock: Clock, window_days: int, min_group: int) -> int:
    """The daily job: check every company; returns how many alerts it opened."""
    opened = 0
    for company_id in session.scalars(select(Company.id).order_by(Company.id)).all():
        opened += check_company(session, clock, company_id, window_days, min_group) is not None
    return opened
