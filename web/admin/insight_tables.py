"""The insight pages' tables: screening.analytics' results → rows of text, a chart beside each.

A :class:`Table` is what the page shows *and* what its CSV export holds (the same rows), so
the two never disagree. Numbers are rounded for reading here and only here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from fractions import Fraction

from markupsafe import Markup

from screening.analytics.fairness import FOUR_FIFTHS, ImpactReport, ImpactTable, RateKind
from screening.analytics.funnel import STAGES, Abandonment, Funnel, Stage, WeeklyFunnel
from screening.analytics.items import ScaleStatistics
from screening.analytics.validity import Correlation
from screening.self_identification import RACE_ETHNICITY_CHOICES, SEX_CHOICES, Grouping
from web.charts import Bar, bar_chart

STAGE_LABELS: dict[Stage, str] = {
    Stage.STARTED: "Started",
    Stage.SUBMITTED: "Submitted",
    Stage.SCORED: "Scored",
    Stage.PACKET_DELIVERED: "Packet sent to panel",
    Stage.INTERVIEWED: "Interviewed",
    Stage.OFFER: "Offer",
    Stage.ACCEPTED: "Accepted",
    Stage.ONBOARDING_COMPLETED: "Onboarding completed",
}
CATEGORY_LABELS: dict[str, str] = {
    **{value: label for value, label in SEX_CHOICES},
    **{value: label.split(" (not")[0] for value, label in RACE_ETHNICITY_CHOICES},
}
GROUPING_LABELS = {Grouping.SEX: "sex", Grouping.RACE_ETHNICITY: "race/ethnicity"}


@dataclass(frozen=True)
class Table:
    key: str  # the table's name in ``?format=csv&table=<key>``
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    chart: Markup | None = None
    notes: tuple[str, ...] = ()
    highlighted: frozenset[int] = field(default_factory=frozenset)  # row indices


def percent(value: Fraction | float | None) -> str:
    return "–" if value is None else f"{float(value) * 100:.0f}%"


def number(value: Fraction | float | None, places: int = 2) -> str:
    return "–" if value is None else f"{float(value):.{places}f}"


def duration(value: timedelta | None) -> str:
    if value is None:
        return "–"
    hours = value.total_seconds() / 3600
    return f"{hours:.1f} hours" if hours < 48 else f"{hours / 24:.1f} days"


# --- funnel ------------------------------------------------------------------


def funnel_table(key: str, title: str, result: Funnel) -> Table:
    rows = tuple(
        (
            STAGE_LABELS[step.stage],
            str(step.reached),
            percent(step.conversion) if step.conversion is not None else "–",
            duration(step.median_time),
        )
        for step in result.steps
    )
    chart = bar_chart(
        title,
        "Applications that reached each stage, from started to onboarding completed.",
        [Bar(STAGE_LABELS[step.stage], step.reached, str(step.reached)) for step in result.steps],
    )
    return Table(
        key,
        title,
        ("Stage", "Applications", "Conversion from the stage before", "Median time from it"),
        rows,
        chart,
    )


def stage_counts_table(
    key: str, title: str, first_column: str, named: Sequence[tuple[str, Funnel]]
) -> Table:
    return Table(
        key,
        title,
        (first_column, *(STAGE_LABELS[stage] for stage in STAGES)),
        tuple((name, *(str(step.reached) for step in result.steps)) for name, result in named),
    )


def weekly_table(weeks: Sequence[WeeklyFunnel]) -> Table:
    table = stage_counts_table(
        "weekly",
        "Per week (by the week candidates started)",
        "Week",
        [(w.week, w.funnel) for w in weeks],
    )
    chart = bar_chart(
        "Candidates who started, per week",
        "How many candidates started the assessment in each ISO week.",
        [Bar(w.week, w.funnel.applications, str(w.funnel.applications)) for w in weeks],
    )
    return Table(table.key, table.title, table.columns, table.rows, chart)


def abandonment_table(
    key: str, title: str, result: Abandonment, page_titles: Mapping[str, str]
) -> Table:
    rows = tuple(
        (page_titles.get(row.page, row.page), str(row.reached), str(row.stopped), percent(row.rate))
        for row in result.pages
    )
    chart = bar_chart(
        title,
        "Share of candidates who reached each page and stopped there without submitting.",
        [
            Bar(page_titles.get(row.page, row.page), float(row.rate or 0), percent(row.rate))
            for row in result.pages
        ],
        maximum=1,
    )
    notes = (
        f"{result.submitted} submitted; {result.in_progress} still in progress (active in the "
        f"last day, not counted); {result.stopped_before_submitting} finished every page but "
        "never submitted.",
    )
    return Table(key, title, ("Page", "Reached it", "Stopped there", "Stopped"), rows, chart, notes)


# --- items -------------------------------------------------------------------


def scale_table(
    key: str, title: str, result: ScaleStatistics, item_texts: Mapping[str, str]
) -> Table:
    rows = tuple(
        (
            item_texts.get(item.item_id, item.item_id),
            "yes" if item.reversed else "no",
            str(item.n),
            number(item.mean),
            number(item.sd),
            number(item.corrected_item_total_r),
            number(item.alpha_if_dropped),
            " ".join(hint.message for hint in item.hints),
        )
        for item in result.items
    )
    notes = (
        f"{result.respondents} respondents. Cronbach's alpha {number(result.alpha)} (standardized "
        f"{number(result.alpha_standardized)}); average inter-item correlation "
        f"{number(result.average_inter_item_r)}." + (f" {result.note}" if result.note else ""),
    )
    chart = bar_chart(
        f"{title}: corrected item-total correlations",
        "How strongly each item goes with the rest of its dimension; hatched items have a hint.",
        [
            Bar(
                item_texts.get(item.item_id, item.item_id),
                item.corrected_item_total_r,
                number(item.corrected_item_total_r),
                marked=bool(item.hints),
            )
            for item in result.items
        ],
        maximum=1,
        marked_label="has a hint",
    )
    return Table(
        key,
        title,
        (
            "Item",
            "Reverse-keyed",
            "Answers",
            "Mean",
            "SD",
            "Corrected item-total r",
            "Alpha if dropped",
            "Hint",
        ),
        rows,
        chart,
        notes,
        frozenset(index for index, item in enumerate(result.items) if item.hints),
    )


# --- fairness ----------------------------------------------------------------


def category_name(values: Sequence[str]) -> str:
    return " × ".join(CATEGORY_LABELS.get(value, value) for value in values)


def impact_tables(prefix: str, heading: str, report: ImpactReport) -> list[Table]:
    selection = report.kind is RateKind.SELECTION
    hit_words = "Selected" if selection else "Scored above the median"
    rate_words = "Selection rate" if selection else "Scoring rate"
    tables = []
    for table in report.tables:
        grouping = " × ".join(GROUPING_LABELS[Grouping(g)] for g in table.groupings)
        title = f"{heading}, by {grouping}"
        tables.append(
            Table(
                f"{prefix}-{'-'.join(table.groupings)}",
                title,
                ("Category", "Applicants", hit_words, rate_words, "Impact ratio", "Below 0.80"),
                tuple(
                    (
                        category_name(c.values),
                        str(c.n),
                        str(c.hits),
                        percent(c.rate),
                        "excluded (under 2%)" if c.excluded else number(c.impact_ratio),
                        "yes" if c.flagged else "no",
                    )
                    for c in table.categories
                ),
                _impact_chart(title, table),
                _impact_notes(table),
                frozenset(i for i, c in enumerate(table.categories) if c.flagged),
            )
        )
    return tables


def _impact_chart(title: str, table: ImpactTable) -> Markup | None:
    rated = [c for c in table.categories if not c.excluded]
    if not rated:
        return None
    return bar_chart(
        f"{title}: impact ratios",
        "Each category's rate divided by the highest category's rate; the dashed line is 0.80 "
        "and hatched bars fall below it.",
        [
            Bar(
                category_name(c.values),
                None if c.impact_ratio is None else float(c.impact_ratio),
                number(c.impact_ratio),
                c.flagged,
            )
            for c in rated
        ],
        maximum=1,
        reference=float(FOUR_FIFTHS),
        reference_label="0.80",
        marked_label="below 0.80",
    )


def _impact_notes(table: ImpactTable) -> tuple[str, ...]:
    notes = [f"{table.unknown} applicants did not say or declined, and are not in this table."]
    if table.excluded:
        names = ", ".join(f"{category_name(c.values)} (n = {c.n})" for c in table.excluded)
        notes.append(f"Left out of the impact ratios as under 2% of the data: {names}.")
    return tuple(notes)


# --- validity ----------------------------------------------------------------


def validity_table(rows: Sequence[tuple[str, str, Correlation]]) -> Table:
    return Table(
        "validity",
        "Pre-screen scores and later outcomes",
        ("Pre-screen score", "Outcome", "Method", "Pairs", "r", "95% interval", "Reading"),
        tuple(
            (
                score,
                outcome,
                result.method.value.capitalize(),
                str(result.n),
                number(result.r) if result.enough_data else "–",
                f"{number(result.ci_low)} to {number(result.ci_high)}"
                if result.enough_data
                else "–",
                result.reading,
            )
            for score, outcome, result in rows
        ),
    )
