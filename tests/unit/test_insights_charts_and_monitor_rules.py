"""Server-side SVG charts (accessible, escaped, threshold marked without colour) and the
monitor's rule: a ratio below 0.80 counts only when both groups are large enough."""

from __future__ import annotations

from fractions import Fraction

from screening.analytics.fairness import SelectionRecord, selection_impact
from screening.impact_monitor import findings
from web.charts import Bar, bar_chart


def test_a_chart_is_an_image_with_a_title_and_description_and_escapes_its_text() -> None:
    svg = str(
        bar_chart(
            "Rates <by sex>",
            "Each & every group",
            [Bar("A <b>", 0.5, "0.50"), Bar("B", None, "n/a")],
        )
    )
    assert svg.startswith('<svg class="chart" role="img"')
    assert "<title id=" in svg and "<desc id=" in svg
    assert "Rates &lt;by sex&gt;" in svg and "Each &amp; every group" in svg
    assert "A &lt;b&gt;" in svg and "<b>" not in svg
    assert "style=" not in svg  # the content security policy allows no inline styles


def test_marked_bars_are_hatched_and_labelled_not_only_coloured() -> None:
    svg = str(
        bar_chart(
            "Impact ratios",
            "Ratios",
            [Bar("Female", 1.0, "1.00"), Bar("Male", 0.5, "0.50", marked=True)],
            reference=0.8,
            reference_label="0.80",
            marked_label="below 0.80",
        )
    )
    assert svg.count('fill="url(#chart-') == 2  # the legend swatch and the marked bar
    assert "0.50 (below 0.80)" in svg
    assert 'stroke-dasharray="4 3"' in svg


def _records(group: str, selected: int, total: int) -> list[SelectionRecord]:
    return [SelectionRecord({"sex": group}, n < selected) for n in range(total)]


def test_a_low_ratio_counts_only_when_both_groups_reach_the_minimum() -> None:
    report = selection_impact(_records("female", 10, 20) + _records("male", 2, 10), ["sex"])
    assert report.tables[0].flagged  # 0.2 / 0.5 = 0.40
    assert [f.category for f in findings(report, 10)] == [("male",)]
    assert findings(report, 11) == []  # the male group holds only 10
    reference_small = selection_impact(_records("female", 5, 5) + _records("male", 2, 40), ["sex"])
    assert findings(reference_small, 10) == []  # the reference group holds only 5


def test_exactly_four_fifths_is_not_a_finding() -> None:
    report = selection_impact(_records("female", 5, 10) + _records("male", 4, 10), ["sex"])
    male = report.tables[0].categories[1]
    assert male.impact_ratio == Fraction(4, 5)
    assert findings(report, 1) == []
